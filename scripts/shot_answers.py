"""The answers the repair wizard's screenshots show (scripts/shots.py): a plausible
repair of the demo's "wrong routes" incident, saved as the wizard itself saves them,
so the wizard opens on them like any resumed plan.
"""

from __future__ import annotations

from datetime import date, timedelta

INCIDENT = "Wrong routes in the delivery report: he wants the costs covered"


def answers(today: date) -> dict[int, dict[str, object]]:
    """What each step holds, dated from ``today`` so the pictures never look stale."""

    def days(n: int) -> str:
        return (today + timedelta(days=n)).isoformat()

    return {
        1: {
            "facts": (
                "Release 2.3 of the route report went out on 2 March. For two weeks it sent "
                "three trucks the long way round. Rafael's dispatchers noticed on the 9th and "
                "told me on the 16th."
            ),
        },
        2: {"figures": "14 hours on release 2.3; 212 routes planned, 31 of them too long"},
        4: {},
        5: {
            "project_state": "Release 2.4 fixes the filter; it is on the test server.",
            "done_so_far": "Six releases since September, this is the first wrong total.",
            "choices": "Region filter moved into the report to make it faster.",
            "client_choices": "The odd routes were seen a week before anyone told me.",
        },
        6: {
            "why_hired": "To plan routes his dispatchers do not have to check by hand.",
            "priorities": [
                "Routes the drivers can trust without checking",
                "Hear about problems from me first",
                "Costs explained in writing",
                "Faster reports",
            ],
        },
        7: {
            "ours": [
                {"text": "Compare old and new totals before every release", "due_on": None},
                {"text": "A one-page note after each release", "due_on": None},
                {"text": "Pay the extra fuel for the two weeks", "due_on": days(7)},
            ]
        },
        8: {
            "theirs": [
                {"text": "Tell me the same day when a route looks wrong", "due_on": None},
                {"text": "Send the overtime sheets", "due_on": days(4)},
            ]
        },
        10: {
            "points": ["Release 2.4 goes live after Rafael's team has checked one week of routes"],
            "notes": "A change nobody compared, and a week of silence on both sides.",
        },
    }
