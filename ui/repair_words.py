"""What the repair wizard says: each step's guiding words, the agreement preview,
the warnings and how a finished repair is described.

Kept free of Qt, like ui/incident_words.py, so the words can be read and tested
in one place without a display.
"""

from __future__ import annotations

import html

from models.enums import AgreementStatus, RepairEnding
from models.repair import PLAYBOOK, TITLES, Step, first_name, plain_day
from models.repair_agreement import ComposedAgreement
from models.services.agreements import AgreementRow
from models.services.clients import local_date
from models.services.repair import PlanView
from ui.theme import tone

# What each page says before its fields: why the step matters, in a sentence or two.
GUIDE: dict[Step, str] = {
    Step.FACTS: (
        "Write down what happened as plain facts, as if for someone who was not there. "
        "Keep their account and yours apart. Then send a short first reply soon: it tells "
        "them they have been heard, and when the full answer will come."
    ),
    Step.EVIDENCE: (
        "Gather what shows where the time and the money went: files, notes, your calls and "
        "emails with them, a few numbers. Tick what you want to have at hand."
    ),
    Step.BOTH_SIDES: (
        "They may be right, in part or in full. Note what went wrong on your side, then what "
        "on theirs made it harder. Stick to what happened; feelings can wait."
    ),
    Step.APOLOGY: (
        "A good apology is short and names the actual mistake, nothing more. Start from the "
        "draft, make it sound like you, and send it when you are ready."
    ),
    Step.STATE: (
        "Lay out where the work stands: what is done, what was decided and why, and how "
        "their own choices played in. Plain and complete, without arguing a case."
    ),
    Step.GOALS: (
        "Go back to why they hired you. List what matters to them, in their words rather "
        "than your measures, most important first."
    ),
    Step.OUR_CHANGE: (
        "A change they can see does more than any promise. What will you do differently? "
        "Give a date where one helps."
    ),
    Step.OUR_REQUEST: (
        "Working well takes both sides. What do you need from them so this does not happen "
        "again? Keep each request small and concrete."
    ),
    Step.TIMEFRAME: (
        "Agree when to look at how it is going; three months is usual. That day becomes a "
        "reminder, with a light check-in message ready to send."
    ),
    Step.IN_WRITING: (
        "Put it in writing, so you both remember it the same way. Check the summary below; "
        "Finish saves it as a draft agreement you can open, print or send."
    ),
    Step.HAND_OVER: (
        "Sometimes the best fix is someone better placed for the work. Name who takes it "
        "over and give them what they need to start well."
    ),
    Step.INSURER: (
        "If this may turn into a claim, tell your professional indemnity insurer early; most "
        "policies ask for that. Keep the evidence together."
    ),
    Step.PART_WAYS: (
        "Not every working relationship should be saved. End it clearly and fairly: say what "
        "each side still owes, and close on a decent note."
    ),
}

NO_MISTAKES_YET = (
    "Step 3 lists no mistakes yet. Name them there and draft again, or write the apology yourself."
)


def page_title(step: Step) -> str:
    if step in PLAYBOOK:
        return f"Step {int(step)} of {len(PLAYBOOK)}: {TITLES[step]}"
    return f"Other ending: {TITLES[step]}"


def agreement_html(composed: ComposedAgreement, client_name: str) -> str:
    """The summary Finish will write, as the user will read it; every value escaped."""

    def e(text: str) -> str:
        return html.escape(text, quote=True)

    them = first_name(client_name)
    parts = [f"<h3 style='margin-top:0'>{e(composed.title)}</h3>"]
    for para in composed.context.split("\n\n"):
        head, _, rest = para.partition("\n")
        if rest:
            parts.append(f"<p><b>{e(head)}</b><br>{e(rest).replace(chr(10), '<br>')}</p>")
        elif head:
            parts.append(f"<p><i>{e(head)}</i></p>")
    if composed.points:
        parts.append("<p><b>What we discussed</b></p><ul>")
        parts += [f"<li>{e(p)}</li>" for p in composed.points]
        parts.append("</ul>")
    for title, items in (("I commit to", composed.ours), (f"{them} commits to", composed.theirs)):
        if items:
            parts.append(f"<p><b>{e(title)}</b></p><ul>")
            for c in items:
                due = (
                    f" <span style='color:{tone('muted')}'>(by {e(plain_day(c.due_on))})</span>"
                    if c.due_on
                    else ""
                )
                parts.append(f"<li>{e(c.text)}{due}</li>")
            parts.append("</ul>")
    if composed.review_on:
        parts.append(f"<p><b>We look at this again on</b> {e(plain_day(composed.review_on))}.</p>")
    else:
        parts.append("<p><i>No review date.</i></p>")
    return "".join(parts)


def part_ways_warning(client_name: str) -> str:
    return (
        f"Finishing this way closes the incident as lost and makes {client_name} a former "
        "client: no more keep-in-touch reminders. A closing summary is written."
    )


RECORD_NOUN: dict[RepairEnding, str] = {
    RepairEnding.AGREEMENT: "agreement",
    RepairEnding.HAND_OVER: "hand-over brief",
    RepairEnding.INSURER: "notice to the insurer",
    RepairEnding.PART_WAYS: "closing summary",
}


def record_noun(ending: RepairEnding | None) -> str:
    return RECORD_NOUN.get(ending, "record") if ending is not None else "record"


def outcome_text(view: PlanView, agreement: AgreementRow | None) -> str:
    """How a finished repair ended, in a sentence or two for the wizard's side."""
    day = plain_day(local_date(view.finished_at)) if view.finished_at else "an earlier day"
    ending = view.ending
    if ending is RepairEnding.AGREEMENT:
        if agreement is None:
            return f"Finished on {day} with an agreement that is no longer in the book."
        state = "a draft" if agreement.status is AgreementStatus.DRAFT else agreement.status.value
        tail = (
            " Open it to read it through, make it final and send it." if state == "a draft" else ""
        )
        return f"Finished on {day}. Agreed in writing: {agreement.display_number}, {state}.{tail}"
    if ending is RepairEnding.HAND_OVER:
        who = str(view.answers.get("successor", "")).strip() or "someone else"
        return f"Finished on {day}. Handed over to {who}; the hand-over brief is ready."
    if ending is RepairEnding.INSURER:
        name = str(view.answers.get("insurer_name", "")).strip() or "the insurer"
        return f"Finished on {day}. {name} is noted as told; the notice is ready to send."
    if ending is RepairEnding.PART_WAYS:
        return (
            f"Finished on {day}. You parted ways: the incident is closed as lost and "
            f"{view.client_name} is now a former client."
        )
    return f"Finished on {day}."


def pdf_name(view: PlanView, agreement_number: str = "") -> str:
    """A file name to offer when saving the agreement or record as PDF."""
    if view.ending is RepairEnding.AGREEMENT and agreement_number:
        return f"{agreement_number.replace(' ', '-')}.pdf"
    words = f"{record_noun(view.ending)} {view.client_name}"
    slug = "-".join("".join(c for c in w if c.isalnum() or c == "-") for w in words.lower().split())
    return f"{slug.strip('-') or 'record'}.pdf"
