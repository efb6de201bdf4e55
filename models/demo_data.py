"""The demo book's data: invented people and firms, their rhythms, follow-ups,
incidents, evidence files and agreements, as tables. ``models.demo`` writes them
through the services' writers.

Addresses use the reserved ".example" domain and phone numbers come from ranges
kept free for fiction where a country has one. Every row is keyed by the client's
``key``, so later demo data hangs on the same clients without touching these.
Days and hours count back from the moment the demo is made.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from models.entities import (
    Channel,
    ClientStatus,
    EntryKind,
    FollowUpKind,
    Incident,
    IncidentCategory,
    IncidentStatus,
    Severity,
)
from models.repair import default_title, draft_check_in, draft_reply, first_name
from models.services.clients import ClientInput, Contact
from models.services.consultant import ConsultantSettings

ACTIVE = ClientStatus.ACTIVE
PAUSED = ClientStatus.PAUSED
FORMER = ClientStatus.FORMER

# How far back the oldest demo client may go, and how fresh the newest is.
HISTORY_DAYS = 3 * 365
NEWEST_DAYS = 10


@dataclass(frozen=True)
class DemoClient:
    key: str  # stable handle for later demo data (touches, incidents, …)
    name: str
    organisation: str
    role: str
    emails: tuple[tuple[str, str], ...] = ()  # (address, label)
    phones: tuple[tuple[str, str], ...] = ()  # (number, label)
    tags: tuple[str, ...] = ()
    notes: str = ""
    status: ClientStatus = ACTIVE
    archived: bool = False

    def as_input(self) -> ClientInput:
        return ClientInput(
            name=self.name,
            organisation=self.organisation,
            role=self.role,
            emails=[Contact(v, label) for v, label in self.emails],
            phones=[Contact(v, label) for v, label in self.phones],
            tags=list(self.tags),
            notes=self.notes,
            status=self.status,
        )


# One client a block: "key | name | organisation | role", then its tags (and status
# when not active), its email addresses and phone numbers with their labels, and its
# notes after ">" (wrapped lines joined by a space; "¶" starts a new line).
_CLIENTS = """
bakery | Margit Oberholzer | Backstube Oberholzer | Owner
  tags small, retainer
  email work margit@backstube-oberholzer.example
  phone work +44 20 7946 0112
  phone mobile +44 7700 900112
  > Two shops and a stall at the Saturday market. Wants online pre-orders for the weekend
  > bread. ¶ Best reached before 7 in the morning or after 2.

dental | Amélie Durand | Cabinet dentaire du Parc | Practice manager
  tags retainer, referral
  email work a.durand@dentaire-du-parc.example
  phone work +33 1 99 00 41 27
  > Monthly check on the booking system and reminder texts. Referred by Aisling.

ngo | Kwame Mensah | Open Fields Foundation | Executive director
  tags nonprofit, project
  email work kwame@openfields.example
  email home k.mensah@home-mail.example
  phone work +44 20 7946 0387
  > Grant reporting overhaul; the board meets quarterly and wants one-page summaries, not
  > dashboards. ¶ Reduced day rate agreed for the nonprofit.

saas | Zoë Hartley | Ledgerly | Co-founder and CEO
  tags vip, retainer
  email work zoe@ledgerly.example
  phone mobile +1 (415) 555-0148
  > Series A in the spring. Cares about onboarding time more than any traffic number; report
  > on that first.

lawfirm | Łukasz Wiśniewski | Wiśniewski & Partners | Managing partner
  tags vip, project
  email work lukasz.wisniewski@wp-law.example
  phone work +48 22 555 01 90
  phone mobile +48 555 019 044
  > Document management migration. Everything in writing, please: he forwards emails to the
  > other partners. ¶ Invoices go to the office manager, not to him.

municipality | Ingrid Solberg | Lillehavn kommune | Digital services coordinator
  tags project, public sector
  email work ingrid.solberg@lillehavn.example
  phone work +47 555 01 234
  > Procurement rules: any change of scope needs a written order first. Budget year ends in
  > December.

yoga | Priya Raman | Still Point Yoga | Studio owner
  tags small, at-risk | paused
  email work hello@stillpoint-yoga.example
  phone mobile +44 7700 900471
  > Class booking app kept double-booking the Sunday session; she was upset and said so.
  > Fixed, but follow up.

architect | Søren Kragh | Kragh Arkitekter | Partner, architect
  tags project, referral
  email work soren@kragh-ark.example
  phone work +45 55 50 12 34
  > New website with a project portfolio. Photos arrive in huge batches; ask for a shortlist.

subcontractor | José Ortega |  | Freelance data engineer
  tags subcontractor, colleague
  email work jose@ortega-data.example
  phone mobile +34 555 010 233
  > Takes the database and reporting parts I don't do myself. Day rate agreed, invoices me
  > monthly. ¶ Away most of August.

olive-coop | Ελένη Παπαδοπούλου | Aegean Olive Cooperative | Export manager
  tags project
  email work eleni.p@aegean-olive.example
  phone work +30 210 555 0190
  > Wholesale price lists in three languages. Prefers calls to email.

translation | Ольга Смирнова | Lingua Bridge Translations | Founder
  tags retainer, small
  email work olga@linguabridge.example
  email home olga.s@home-mail.example
  > Quote tool for translators. Pays on the day the invoice arrives.

physio | Tomás Ó Briain | Harbour Physio | Clinic owner
  tags small, referral
  email work tomas@harbourphysio.example
  phone work +353 1 555 0133
  > Came through Amélie. Wants online intake forms before the clinic reopens.

cycles | Hannah Whitfield | Greenway Cycles | Operations lead
  tags retainer
  email work hannah@greenwaycycles.example
  phone work +44 1632 960551
  phone mobile +44 7700 900551
  > Stock sync between the shop till and the web shop. Busy season is April to June.

catering | Mei Lin Chow | Chow & Daughters Catering | Owner
  tags small, project
  email work meilin@chowcatering.example
  phone mobile +61 491 570 156
  > Event booking form and deposit payments.

tutoring | Fatima Al-Sayed | Brightside Tutoring | Director
  tags nonprofit | paused
  email work fatima@brightside-tutoring.example
  > Scheduling for volunteer tutors. Budget is tight until the council grant comes through; we
  > paused in the meantime.

plumbing | Jonas Becker | Becker Haustechnik GmbH | Geschäftsführer
  tags retainer
  email work j.becker@becker-haustechnik.example
  phone work +49 30 555 01 77
  phone mobile +49 555 0177 123
  > Job sheets on tablets for the fitters. Calls from the van; keep it short.

accountant | Aisling Byrne | Byrne Accountancy | Partner
  tags referral, vip
  email work aisling@byrne-accountancy.example
  phone work +353 1 555 0172
  > Sends clients my way; a thank-you lunch twice a year. ¶ Small job of her own: the client
  > portal.

trattoria | Marco Bellini | Trattoria Bellini | Owner
  tags small | former
  email work marco@trattoria-bellini.example
  phone work +44 20 7946 0925
  > Table booking project finished. Sold the restaurant last year.

games | Nina Korhonen | Northlight Games | Producer
  tags project
  email work nina@northlight-games.example
  phone mobile +358 555 0192 44
  > Build pipeline review. Studio works late; mornings are quiet.

library-friends | Daniel Okafor | Friends of the City Library | Chair
  tags nonprofit, small
  email work chair@library-friends.example
  email home d.okafor@home-mail.example
  > Membership list and newsletter. Volunteer-run; answers come at weekends.

bridal | Sophie Laurent | Atelier Laurent | Owner and designer
  tags small | paused
  email work sophie@atelier-laurent.example
  phone work +33 1 99 00 73 18
  > Appointment booking. On maternity leave until autumn; back in touch then.

logistics | Rafael Mendes | Mendes Logística | IT manager
  tags retainer, at-risk
  email work rafael.mendes@mendes-log.example
  phone work +351 21 555 0140
  phone mobile +351 555 014 099
  > Second invoice paid three weeks late and the last two replies were one line each. Worth a
  > call, not another email.

healthtech | Grace Tan | Lumen Health | Head of product
  tags project, vip
  email work grace.tan@lumenhealth.example
  phone mobile +1 (646) 555-0175
  > Accessibility audit of the patient app, then fixes. Wants weekly written updates on
  > Fridays.

estate-agent | Pieter de Vries | De Vries Makelaardij | Director
  tags project | former
  email work pieter@devries-makelaardij.example
  phone work +31 20 555 0163
  > Listings feed to the property portals.

designer | Sara Lindqvist | Lindqvist Design | Freelance designer
  tags colleague, referral
  email work sara@lindqvist-design.example
  phone mobile +46 8 555 011 20
  > Does the visual side when a client needs it; we refer work both ways.

dental-lab | Ahmed Haddad | Cedar Dental Lab | Owner
  tags small, referral
  email work ahmed@cedar-lab.example
  phone work +44 1632 960884
  > Order tracking for the dental practices he supplies. Met him through Amélie.

school | Claire Dubois-Martin | Riverside Primary School | School business manager
  tags public sector, project
  email work bursar@riverside-primary.example
  phone work +44 20 7946 0648
  > Parent payments and trip consent forms. Term dates rule everything: ¶ nothing goes live
  > during exams or the last week of term.

roofing | Ben Carter | Carter & Sons Roofing | Owner
  tags small | former archived
  email work ben@carter-roofing.example
  phone mobile +44 7700 900963
  > Quote builder. We parted ways amicably: he wanted a cheaper off-the-shelf tool.

tea-house | Yuki Tanaka | Kumo Tea House | Owner
  tags small
  email work yuki@kumo-tea.example
  > Loyalty cards and a simple web shop for loose tea.

family-office | Olivia Grant | Grant Family Office | Chief of staff
  tags vip, retainer
  email work ogrant@grant-office.example
  phone work +1 (212) 555-0109
  phone mobile +1 (917) 555-0109
  > Discretion matters more than speed. Quarterly review in person. ¶ Never put names of
  > family members in email subjects.

private-author | Mateo Rossi |  | Retired professor, writing a book
  tags small
  email home mateo.rossi@home-mail.example
  phone home +39 06 555 0188
  > Helping him set up a writing and backup routine. Happy to be called any time.

brewery | Siobhán Kelly | Hilltop Brewing Co. | Co-owner
  tags project | former
  email work siobhan@hilltop-brewing.example
  phone work +353 1 555 0159
  > Taproom events calendar. Project ended when they sold to a bigger brewery.
"""


def _client(block: str) -> DemoClient:
    head, *lines = block.splitlines()
    key, name, organisation, role = (part.strip() for part in head.split("|"))
    fields: dict[str, Any] = {"emails": [], "phones": [], "notes": []}
    for line in (raw.strip() for raw in lines):
        word, _, rest = line.partition(" ")
        if word == "tags":
            tags, _, status = rest.partition("|")
            fields["tags"] = tuple(t.strip() for t in tags.split(",") if t.strip())
            fields["status"] = ClientStatus(status.split()[0]) if status.strip() else ACTIVE
            fields["archived"] = "archived" in status.split()
        elif word in ("email", "phone"):
            label, value = rest.split(" ", 1)
            fields[f"{word}s"].append((value, label))
        elif word == ">":
            fields["notes"].append(rest)
    return DemoClient(
        key,
        name,
        organisation,
        role,
        emails=tuple(fields["emails"]),
        phones=tuple(fields["phones"]),
        tags=fields["tags"],
        notes=" ".join(fields["notes"]).replace(" ¶ ", "\n"),
        status=fields["status"],
        archived=fields["archived"],
    )


DEMO_CLIENTS: tuple[DemoClient, ...] = tuple(
    _client(block) for block in _CLIENTS.strip().split("\n\n")
)


CALL, EMAIL, MEETING = Channel.CALL, Channel.EMAIL, Channel.MEETING
MESSAGE, VISIT, OTHER = Channel.MESSAGE, Channel.VISIT, Channel.OTHER

# How far back the touch history goes.
TOUCH_HISTORY_DAYS = 365


@dataclass(frozen=True)
class DemoRhythm:
    """How the consultant keeps in touch with one demo client, counted from today.

    A client with a cadence gives ``due_in`` (days from today its next touch falls
    due: negative is overdue); one without gives ``last_touch_ago``. The latest
    touch is placed so that the rules produce exactly that.
    """

    cadence_days: int | None = None
    due_in: int | None = None
    last_touch_ago: int | None = None
    channels: tuple[Channel, ...] = (CALL, EMAIL)
    last_channel: Channel | None = None  # how the latest touch happened, to fit its summary
    last_summary: str = ""
    last_next_step: str = ""
    last_next_step_in: int | None = None  # days from today; makes an open follow-up

    def latest_touch_ago(self) -> int:
        if self.cadence_days is not None and self.due_in is not None:
            return self.cadence_days - self.due_in
        if self.last_touch_ago is None:  # a mistake in DEMO_RHYTHMS, not the user's
            raise ValueError("A demo rhythm needs due_in (with a cadence) or last_touch_ago.")
        return self.last_touch_ago


@dataclass(frozen=True)
class DemoFollowUp:
    key: str  # the client's key
    title: str
    due_in: int  # days from today
    kind: FollowUpKind = FollowUpKind.MANUAL
    note: str = ""
    snoozed_from: int | None = None  # first asked for this many days from today
    created_ago: int = 10


DEMO_RHYTHMS: dict[str, DemoRhythm] = {
    # Overdue, one of them badly and under priority after an unhappy exchange.
    "logistics": DemoRhythm(
        30,
        due_in=-19,
        channels=(EMAIL, EMAIL, CALL),
        last_channel=EMAIL,
        last_summary="Sent the new delivery report; one-line reply, sounded unhappy.",
    ),
    "saas": DemoRhythm(
        14,
        due_in=-9,
        channels=(MEETING, CALL, MESSAGE),
        last_channel=CALL,
        last_summary="Check-in call; she wants onboarding numbers before the board meets.",
    ),
    "ngo": DemoRhythm(
        61,
        due_in=-38,
        channels=(EMAIL, MEETING),
        last_channel=EMAIL,
        last_summary="Sent the one-page board summary; waiting to hear how it landed.",
    ),
    "municipality": DemoRhythm(
        91,
        due_in=-5,
        channels=(MEETING, EMAIL),
        last_channel=MEETING,
        last_summary="Meeting on phase 2. Nothing starts without a written order.",
        last_next_step="Chase the written order for phase 2",
        last_next_step_in=14,
    ),
    "architect": DemoRhythm(
        30,
        due_in=-2,
        channels=(VISIT, EMAIL, CALL),
        last_channel=VISIT,
        last_summary="Went through the photo shortlist for the portfolio, 40 out of 600.",
    ),
    # Due today.
    "dental": DemoRhythm(
        30,
        due_in=0,
        channels=(CALL, EMAIL),
        last_channel=CALL,
        last_summary="Monthly check of bookings and reminder texts: all quiet.",
    ),
    "bakery": DemoRhythm(
        14,
        due_in=0,
        channels=(CALL, VISIT, MESSAGE),
        last_channel=CALL,
        last_summary="Call before the shop opened: weekend pre-orders have doubled.",
    ),
    # Coming up this week.
    "lawfirm": DemoRhythm(
        14,
        due_in=1,
        channels=(EMAIL, EMAIL, MEETING),
        last_channel=CALL,
        last_summary="Call about the migration plan; he wants every step in writing.",
        last_next_step="Send the migration plan in writing",
        last_next_step_in=0,
    ),
    "cycles": DemoRhythm(
        30,
        due_in=3,
        channels=(CALL, EMAIL),
        last_channel=CALL,
        last_summary="Stock sync ran clean all month; talked about the spring rush.",
    ),
    "accountant": DemoRhythm(
        182,
        due_in=4,
        channels=(MEETING, OTHER),
        last_channel=OTHER,
        last_summary="Thank-you lunch. Two of her clients may want help in the new year.",
    ),
    "healthtech": DemoRhythm(
        7,
        due_in=5,
        channels=(EMAIL,),
        last_channel=EMAIL,
        last_summary="Friday written update: 14 of 22 audit findings fixed.",
    ),
    "family-office": DemoRhythm(
        91,
        due_in=6,
        channels=(MEETING, VISIT),
        last_channel=MEETING,
        last_summary="Quarterly review in person. Happy; asked for fewer, shorter emails.",
    ),
    # Later.
    "games": DemoRhythm(14, due_in=9, channels=(MESSAGE, CALL)),
    "physio": DemoRhythm(30, due_in=12, channels=(CALL, EMAIL)),
    "olive-coop": DemoRhythm(30, due_in=16, channels=(CALL, CALL, EMAIL)),
    "plumbing": DemoRhythm(30, due_in=19, channels=(CALL, MESSAGE)),
    "tea-house": DemoRhythm(61, due_in=20, channels=(VISIT, EMAIL)),
    "translation": DemoRhythm(61, due_in=25, channels=(EMAIL, CALL)),
    "dental-lab": DemoRhythm(61, due_in=33, channels=(CALL, EMAIL)),
    "designer": DemoRhythm(91, due_in=40, channels=(MESSAGE, MEETING, OTHER)),
    "school": DemoRhythm(91, due_in=50, channels=(EMAIL, MEETING)),
    # Active, but no rhythm set: history only.
    "subcontractor": DemoRhythm(last_touch_ago=6, channels=(MESSAGE, CALL)),
    "catering": DemoRhythm(last_touch_ago=45, channels=(EMAIL, CALL)),
    "library-friends": DemoRhythm(last_touch_ago=20, channels=(EMAIL,)),
    "private-author": DemoRhythm(last_touch_ago=9, channels=(CALL, VISIT)),
    # Paused and former clients: reminders stop, history stays.
    "yoga": DemoRhythm(
        30,
        last_touch_ago=12,
        channels=(MESSAGE, CALL),
        last_channel=MESSAGE,
        last_summary="Apologised for the double bookings; the fix is live since Friday.",
    ),
    "tutoring": DemoRhythm(last_touch_ago=80, channels=(EMAIL,)),
    "bridal": DemoRhythm(91, last_touch_ago=150, channels=(EMAIL, VISIT)),
    "trattoria": DemoRhythm(last_touch_ago=300, channels=(VISIT, CALL)),
    "estate-agent": DemoRhythm(last_touch_ago=250, channels=(EMAIL,)),
    "roofing": DemoRhythm(last_touch_ago=200, channels=(CALL,)),
    "brewery": DemoRhythm(last_touch_ago=160, channels=(EMAIL, VISIT)),
}

DEMO_FOLLOW_UPS: tuple[DemoFollowUp, ...] = (
    DemoFollowUp(
        "saas",
        "Send the onboarding time report",
        due_in=-3,
        note="Board meets next week. Numbers first: sign-up, first invoice; then the story 📈",
    ),
    DemoFollowUp(
        "logistics",
        "Call Rafael about the late invoices",
        due_in=-1,
        note="A call, not another email. Ask what changed on their side.",
        created_ago=4,
    ),
    DemoFollowUp(
        "yoga",
        "Check the Sunday class booked cleanly",
        due_in=-2,
        snoozed_from=-9,
        created_ago=12,
    ),
    DemoFollowUp(
        "healthtech",
        "Fix the sign-up screen contrast",
        due_in=2,
        kind=FollowUpKind.COMMITMENT,
        note="Promised in the audit report, section 3.",
        created_ago=20,
    ),
    DemoFollowUp("school", "Check exam dates before picking a go-live day", due_in=4),
    DemoFollowUp(
        "family-office",
        "Prepare the quarterly review agenda",
        due_in=5,
        kind=FollowUpKind.REVIEW,
        created_ago=85,
    ),
    DemoFollowUp("translation", "Send the renewal quote", due_in=11, created_ago=3),
)

SUMMARIES: dict[Channel, tuple[str, ...]] = {
    CALL: (
        "Quick call to see how things are going.",
        "Talked through the next phase and the timeline.",
        "Call about the open invoice; sorted.",
        "Walked through the test results on the phone.",
        "Caught up by phone; all calm on their side.",
        "Agreed the priorities for the month.",
    ),
    EMAIL: (
        "Sent the monthly summary.",
        "Answered questions about the last release.",
        "Emailed the revised quote.",
        "Shared notes from our last meeting.",
        "Short progress update, with two screenshots.",
    ),
    MEETING: (
        "Review meeting at their office.",
        "Planning session for next quarter.",
        "Video meeting with the team about the roadmap.",
        "Workshop on the new process with two of their staff.",
    ),
    MESSAGE: (
        "Quick message to check the fix held up.",
        "Sent the access details they asked for.",
        "Short exchange about dates for the next visit.",
    ),
    VISIT: (
        "On-site visit: checked the setup with the staff.",
        "Dropped by to set up the new tablet.",
        "Coffee at their place; talked about what comes next.",
    ),
    OTHER: (
        "Bumped into each other at a local business evening.",
        "Sent a card for their anniversary.",
    ),
}
NEXT_STEPS = (
    "Send the written summary",
    "Book the next review",
    "Check the figures with their accountant",
    "Send the updated quote",
    "Confirm the go-live date",
)


@dataclass(frozen=True)
class DemoIncident:
    """One incident's life so far, counted back from ``now`` (days and hours)."""

    key: str  # the client's key
    title: str
    category: IncidentCategory
    severity: Severity
    status: IncidentStatus
    opened_ago: float  # days before now
    client_view: str = ""
    our_view: str = ""
    our_mistakes: str = ""
    client_contribution: str = ""
    acknowledged_after: float | None = None  # hours after opening
    promise_hours: float | None = 24
    # When the full answer went out, in hours after the promise fell due (negative:
    # early); None: not answered yet. The promise itself is counted in working time.
    answered_late_by: float | None = None
    closed_ago: float | None = None  # days before now (resolved or lost)
    timeline: tuple[tuple[float, EntryKind, str], ...] = ()  # (days before now, kind, text)
    files: tuple[str, ...] = ()  # names in DEMO_FILES


def _hours_log(today: date) -> str:
    rows = [
        (6, "Compared the old and new delivery reports, region by region", 2.5),
        (5, "Traced the long routes to the region filter of release 2.3", 3.0),
        (5, "Fixed the filter on the test server; re-ran two weeks of data", 2.0),
        (4, "Call with Rafael; notes and a first written summary", 1.0),
        (3, "Wrote up the cost of the extra routes from their fuel log", 1.5),
    ]
    lines = ["date,task,hours"]
    lines += [f'{today - timedelta(days=ago)},"{task}",{hours}' for ago, task, hours in rows]
    return "\n".join(lines) + "\n"


def _email_transcript(today: date) -> str:
    sent = today - timedelta(days=4)
    return (
        f"From: Rafael Mendes <rafael.mendes@mendes-log.example>\n"
        f"Date: {sent:%d %B %Y}\n"
        "Subject: Delivery report - routes\n\n"
        "Three of our trucks have been sent the long way round since the new report\n"
        "went live. That is two weeks of extra fuel and overtime. I expect you to\n"
        "cover it, and I want to know by Friday how this could happen.\n\n"
        "Rafael\n"
    )


def _screen_reader_notes(today: date) -> str:
    tested = today - timedelta(days=11)
    return (
        f"Screen reader check, {tested:%d %B %Y}\n\n"
        "Sign-up form, release 4.2, with the two common screen readers:\n"
        "- the e-mail field is announced, then focus jumps to the footer\n"
        "- the password rules are not read out at all\n"
        "- the error message after a wrong code is silent\n\n"
        "Cause: the new focus trap from audit finding 9 is on the wrong container.\n"
    )


DEMO_FILES = {
    "hours-log.csv": _hours_log,
    "email-from-rafael.txt": _email_transcript,
    "screen-reader-check.txt": _screen_reader_notes,
}

DEMO_INCIDENTS: tuple[DemoIncident, ...] = (
    DemoIncident(
        "logistics",
        "Wrong routes in the delivery report: he wants the costs covered",
        IncidentCategory.CLAIM_THREATENED,
        Severity.CRITICAL,
        IncidentStatus.ACKNOWLEDGED,
        opened_ago=4,
        client_view=(
            "The report sent three trucks the long way for two weeks; he wants the extra "
            "fuel and overtime paid and an explanation in writing."
        ),
        our_view="A region filter changed in release 2.3 and nobody compared the totals.",
        our_mistakes="Shipped the report change without a side-by-side check of the old one.",
        client_contribution="Their dispatch team saw odd routes a week before telling anyone.",
        acknowledged_after=2,
        promise_hours=48,
        timeline=(
            (
                3.9,
                EntryKind.CALL,
                "Rafael called, angry. Listened; promised a full written answer within two days.",
            ),
            (
                3.0,
                EntryKind.NOTE,
                "Found the cause: the region filter in release 2.3. Fixed on the test server.",
            ),
            (
                1.5,
                EntryKind.DECISION,
                "Offer to cover the fuel; ask to see the overtime sheets before agreeing to those.",
            ),
        ),
        files=("email-from-rafael.txt", "hours-log.csv"),
    ),
    DemoIncident(
        "healthtech",
        "Audit fixes broke the screen reader on sign-up",
        IncidentCategory.DELIVERABLE_QUALITY,
        Severity.HIGH,
        IncidentStatus.REPAIRING,
        opened_ago=12,
        client_view="A patient tester could not sign up at all; she heard it from her CEO.",
        our_view="The focus trap from finding 9 went on the wrong container.",
        our_mistakes="Tested with the mouse and one screen reader only.",
        acknowledged_after=1,
        promise_hours=24,
        answered_late_by=6,  # on record, and it still costs health
        timeline=(
            (11.9, EntryKind.CALL, "Grace called: sign-up is unusable with a screen reader."),
            (
                11.0,
                EntryKind.EMAIL,
                "Sent what went wrong and a fix plan, six hours later than promised.",
            ),
            (
                9.0,
                EntryKind.DECISION,
                "Every release is checked with two screen readers before it goes to her team.",
            ),
            (
                4.0,
                EntryKind.MEETING,
                "Walked through the fixed form together; two small issues left.",
            ),
        ),
        files=("screen-reader-check.txt",),
    ),
    DemoIncident(
        "yoga",
        "Sunday class double-booked two weeks running",
        IncidentCategory.DELIVERABLE_QUALITY,
        Severity.MEDIUM,
        IncidentStatus.RESOLVED,
        opened_ago=25,
        client_view="Twelve people turned up for eight mats, twice.",
        our_view="The waiting list let people in when a class was moved, not only cancelled.",
        acknowledged_after=2,
        promise_hours=24,
        answered_late_by=-4,
        closed_ago=13,
        timeline=(
            (
                24.8,
                EntryKind.NOTE,
                "Priya's message: double-booked again, she is not amused.",
            ),
            (21.0, EntryKind.DECISION, "Fix the waiting list; refund the two sessions."),
            (13.0, EntryKind.NOTE, "Two Sundays without a double booking. Closing this."),
        ),
    ),
    DemoIncident(
        "estate-agent",
        "Listings feed down during the spring launch",
        IncidentCategory.MISSED_DEADLINE,
        Severity.HIGH,
        IncidentStatus.LOST,
        opened_ago=270,
        client_view="Their new homes were missing from the portals for the busiest week.",
        our_view="The portal changed its format; our alert went to an old address.",
        acknowledged_after=5,
        promise_hours=24,
        answered_late_by=-4,
        closed_ago=255,
        timeline=(
            (269.0, EntryKind.CALL, "Pieter called: no listings on two portals since Monday."),
            (262.0, EntryKind.MEETING, "Apologised in person; he has asked an agency to quote."),
            (255.0, EntryKind.NOTE, "He moved the feed to the agency. Handed over the docs."),
        ),
    ),
)


# --- agreements ------------------------------------------------------------------

DEMO_CONSULTANT = ConsultantSettings(
    name="Jonas Weber",
    business="Weber Web Studio",
    address="Lindenstraße 12\n10969 Berlin\nGermany",
    email="jonas@weber-web.example",
    phone="+49 30 5550 1234",
)


@dataclass(frozen=True)
class DemoAgreement:
    key: str
    title: str
    dated_ago: int  # days before now
    review_in: int  # days after now
    context: str
    points: tuple[str, ...]
    ours: tuple[tuple[str, int | None], ...]  # text, due in days from now (None: no date)
    theirs: tuple[tuple[str, int | None], ...]
    final: bool
    incident_title: str | None = None


DEMO_AGREEMENTS: tuple[DemoAgreement, ...] = (
    DemoAgreement(
        "healthtech",
        "Screen reader fixes and how we check releases",
        dated_ago=8,
        review_in=52,
        context=(
            "The audit fixes broke sign-up for screen reader users, and our written answer "
            "came six hours later than promised. We met to agree how releases are checked "
            "from now on."
        ),
        points=(
            "The focus trap went on the wrong container; it is fixed on the test server.",
            "Releases were tested with the mouse and one screen reader only.",
            "Grace heard about the problem from her CEO, not from us.",
            "Written updates every Friday, whether or not there is news.",
        ),
        ours=(
            ("Check every release with NVDA and VoiceOver before it reaches your team", None),
            ("Send a written update every Friday by 4 pm", None),
            ("Ship the sign-up fix to production", 3),
            ("Add keyboard-only tests for sign-up and login", 20),
        ),
        theirs=(
            ("Name one tester who uses a screen reader every day", 10),
            ("Reply to release notes within two working days", None),
        ),
        final=True,
        incident_title="Audit fixes broke the screen reader on sign-up",
    ),
    DemoAgreement(
        "bakery",
        "Weekend pre-orders: scope and dates",
        dated_ago=2,
        review_in=40,
        context="A short agreement on what the online pre-order page does before Christmas.",
        points=(
            "Pre-orders close Thursday at 6 pm for Saturday pick-up.",
            "Payment at pick-up for now; card payments after the holidays.",
        ),
        ours=(
            ("Put the pre-order page live", 14),
            ("Train the shop staff on the order list", 16),
        ),
        theirs=(
            ("Send the bread list with prices", 5),
            ("Choose the pick-up times for each shop", 7),
        ),
        final=False,
    ),
)


# --- repair plans: what the wizard's pages hold ------------------------------------


def _shared(name: str, me: str, inc: Incident, due: datetime, review_on: date) -> dict[str, Any]:
    return {
        "client_view": inc.client_view,
        "our_view": inc.our_view,
        "our_mistakes": inc.our_mistakes,
        "client_contribution": inc.client_contribution,
        "reply": draft_reply(name, me, due.astimezone()),
        "reply_due_at": due.isoformat(),
        "review_on": review_on.isoformat(),
        "check_in": draft_check_in(name, review_on),
        "insurer_name": "",
        "insurer_policy": "",
        "insurer_contact": "",
    }


def finished_answers(
    name: str, me: str, inc: Incident, due: datetime, review_on: date
) -> dict[str, Any]:
    """Grace's plan, every step written (the caller adds the row ids and the
    agreement's own words)."""
    return _shared(name, me, inc, due, review_on) | {
        "facts": (
            "Release 4.2 shipped the accessibility audit fixes.\n"
            "The focus trap from finding 9 sat on the wrong container, so a screen reader "
            "user could not get past the e-mail field on sign-up."
        ),
        "figures": "3 of the 12 sign-up steps failed with a screen reader; 0 with the mouse.",
        "apology": (
            f"Hello {first_name(name)},\n\n"
            "I am sorry. I tested release 4.2 with the mouse and one screen reader only, "
            "and my written answer reached you six hours after I promised it.\n\n"
            f"That was my part, and I own it.\n\n{me}"
        ),
        "project_state": "The sign-up fix is on the test server, waiting for your tester.",
        "done_so_far": "Audit findings 1 to 12 fixed; finding 9 fixed twice.",
        "choices": "Fixed the focus trap first, before the remaining colour-contrast work.",
        "client_choices": "The release went to patients the same day, without a test round.",
        "why_hired": "To make the patient portal usable for everyone before the spring audit.",
        "priorities": [
            "Patients can sign up with any screen reader",
            "No surprises for Grace's CEO",
            "The spring audit passes",
        ],
        "notes": "Releases went out on trust, without a check that matched how her users work.",
    }


def resumed_answers(
    name: str, me: str, inc: Incident, due: datetime, review_on: date, started: date
) -> dict[str, Any]:
    """Rafael's plan, steps 1 to 4 written (the caller adds the row ids)."""
    return _shared(name, me, inc, due, review_on) | {
        "facts": (
            "Release 2.3 of the delivery report changed the region filter. For two weeks "
            "three trucks were sent the long way round, costing fuel and overtime.\n\n"
            "Nobody compared the new totals with the old report before it went live."
        ),
        "figures": (
            "About 410 extra km over 14 days on three trucks; 10 hours of my own time so "
            "far to find and fix the cause (hours-log.csv)."
        ),
        "apology": (
            f"Hello {first_name(name)},\n\n"
            "I am sorry. I shipped the change to the region filter without checking the new "
            "report against the old one, and your trucks paid for it.\n\n"
            f"That was my part, and I own it. Here is what I am changing so it does not "
            f"happen again.\n\n{me}"
        ),
        "title": default_title(started),
    }
