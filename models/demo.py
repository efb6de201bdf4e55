"""A realistic demo book, so a first-time user (and a screenshot) sees a lived-in book.

The people and firms are invented; addresses use the reserved ".example" domain and
phone numbers come from ranges kept free for fiction where a country has one. The
data is a plain list of small records keyed by ``key`` so later features (touches,
incidents, agreements) can hang their own demo rows on the same clients without
touching these. Timestamps and ids come from a seeded generator, so the same seed
and ``now`` always give the same book, byte for byte in an export.
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select

from models.db import Book
from models.entities import Client, ClientStatus
from models.errors import RapportError
from models.services.clients import ClientInput, Contact, apply_input, validate_client
from models.types import utcnow

ACTIVE = ClientStatus.ACTIVE
PAUSED = ClientStatus.PAUSED
FORMER = ClientStatus.FORMER

# How far back the oldest demo client may go, and how fresh the newest is.
HISTORY_DAYS = 3 * 365
NEWEST_DAYS = 10


class DemoError(RapportError, ValueError):
    """The demo cannot go into this book; the message says why, for the user."""


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


DEMO_CLIENTS: tuple[DemoClient, ...] = (
    DemoClient(
        key="bakery",
        name="Margit Oberholzer",
        organisation="Backstube Oberholzer",
        role="Owner",
        emails=(("margit@backstube-oberholzer.example", "work"),),
        phones=(("+44 20 7946 0112", "work"), ("+44 7700 900112", "mobile")),
        tags=("small", "retainer"),
        notes=(
            "Two shops and a stall at the Saturday market. Wants online pre-orders "
            "for the weekend bread.\nBest reached before 7 in the morning or after 2."
        ),
    ),
    DemoClient(
        key="dental",
        name="Amélie Durand",
        organisation="Cabinet dentaire du Parc",
        role="Practice manager",
        emails=(("a.durand@dentaire-du-parc.example", "work"),),
        phones=(("+33 1 99 00 41 27", "work"),),
        tags=("retainer", "referral"),
        notes="Monthly check on the booking system and reminder texts. Referred by Aisling.",
    ),
    DemoClient(
        key="ngo",
        name="Kwame Mensah",
        organisation="Open Fields Foundation",
        role="Executive director",
        emails=(
            ("kwame@openfields.example", "work"),
            ("k.mensah@home-mail.example", "home"),
        ),
        phones=(("+44 20 7946 0387", "work"),),
        tags=("nonprofit", "project"),
        notes=(
            "Grant reporting overhaul; the board meets quarterly and wants one-page "
            "summaries, not dashboards.\nReduced day rate agreed for the nonprofit."
        ),
    ),
    DemoClient(
        key="saas",
        name="Zoë Hartley",
        organisation="Ledgerly",
        role="Co-founder and CEO",
        emails=(("zoe@ledgerly.example", "work"),),
        phones=(("+1 (415) 555-0148", "mobile"),),
        tags=("vip", "retainer"),
        notes=(
            "Series A in the spring. Cares about onboarding time more than any "
            "traffic number; report on that first."
        ),
    ),
    DemoClient(
        key="lawfirm",
        name="Łukasz Wiśniewski",
        organisation="Wiśniewski & Partners",
        role="Managing partner",
        emails=(("lukasz.wisniewski@wp-law.example", "work"),),
        phones=(("+48 22 555 01 90", "work"), ("+48 555 019 044", "mobile")),
        tags=("vip", "project"),
        notes=(
            "Document management migration. Everything in writing, please: he forwards "
            "emails to the other partners.\nInvoices go to the office manager, not to him."
        ),
    ),
    DemoClient(
        key="municipality",
        name="Ingrid Solberg",
        organisation="Lillehavn kommune",
        role="Digital services coordinator",
        emails=(("ingrid.solberg@lillehavn.example", "work"),),
        phones=(("+47 555 01 234", "work"),),
        tags=("project", "public sector"),
        notes=(
            "Procurement rules: any change of scope needs a written order first. "
            "Budget year ends in December."
        ),
    ),
    DemoClient(
        key="yoga",
        name="Priya Raman",
        organisation="Still Point Yoga",
        role="Studio owner",
        emails=(("hello@stillpoint-yoga.example", "work"),),
        phones=(("+44 7700 900471", "mobile"),),
        tags=("small", "at-risk"),
        notes=(
            "Class booking app kept double-booking the Sunday session; she was upset "
            "and said so. Fixed, but follow up."
        ),
        status=PAUSED,
    ),
    DemoClient(
        key="architect",
        name="Søren Kragh",
        organisation="Kragh Arkitekter",
        role="Partner, architect",
        emails=(("soren@kragh-ark.example", "work"),),
        phones=(("+45 55 50 12 34", "work"),),
        tags=("project", "referral"),
        notes=(
            "New website with a project portfolio. Photos arrive in huge batches; "
            "ask for a shortlist."
        ),
    ),
    DemoClient(
        key="subcontractor",
        name="José Ortega",
        organisation="",
        role="Freelance data engineer",
        emails=(("jose@ortega-data.example", "work"),),
        phones=(("+34 555 010 233", "mobile"),),
        tags=("subcontractor", "colleague"),
        notes=(
            "Takes the database and reporting parts I don't do myself. Day rate agreed, "
            "invoices me monthly.\nAway most of August."
        ),
    ),
    DemoClient(
        key="olive-coop",
        name="Ελένη Παπαδοπούλου",
        organisation="Aegean Olive Cooperative",
        role="Export manager",
        emails=(("eleni.p@aegean-olive.example", "work"),),
        phones=(("+30 210 555 0190", "work"),),
        tags=("project",),
        notes="Wholesale price lists in three languages. Prefers calls to email.",
    ),
    DemoClient(
        key="translation",
        name="Ольга Смирнова",
        organisation="Lingua Bridge Translations",
        role="Founder",
        emails=(("olga@linguabridge.example", "work"), ("olga.s@home-mail.example", "home")),
        tags=("retainer", "small"),
        notes="Quote tool for translators. Pays on the day the invoice arrives.",
    ),
    DemoClient(
        key="physio",
        name="Tomás Ó Briain",
        organisation="Harbour Physio",
        role="Clinic owner",
        emails=(("tomas@harbourphysio.example", "work"),),
        phones=(("+353 1 555 0133", "work"),),
        tags=("small", "referral"),
        notes="Came through Amélie. Wants online intake forms before the clinic reopens.",
    ),
    DemoClient(
        key="cycles",
        name="Hannah Whitfield",
        organisation="Greenway Cycles",
        role="Operations lead",
        emails=(("hannah@greenwaycycles.example", "work"),),
        phones=(("+44 1632 960551", "work"), ("+44 7700 900551", "mobile")),
        tags=("retainer",),
        notes="Stock sync between the shop till and the web shop. Busy season is April to June.",
    ),
    DemoClient(
        key="catering",
        name="Mei Lin Chow",
        organisation="Chow & Daughters Catering",
        role="Owner",
        emails=(("meilin@chowcatering.example", "work"),),
        phones=(("+61 491 570 156", "mobile"),),
        tags=("small", "project"),
        notes="Event booking form and deposit payments.",
    ),
    DemoClient(
        key="tutoring",
        name="Fatima Al-Sayed",
        organisation="Brightside Tutoring",
        role="Director",
        emails=(("fatima@brightside-tutoring.example", "work"),),
        tags=("nonprofit",),
        notes=(
            "Scheduling for volunteer tutors. Budget is tight until the council grant "
            "comes through; we paused in the meantime."
        ),
        status=PAUSED,
    ),
    DemoClient(
        key="plumbing",
        name="Jonas Becker",
        organisation="Becker Haustechnik GmbH",
        role="Geschäftsführer",
        emails=(("j.becker@becker-haustechnik.example", "work"),),
        phones=(("+49 30 555 01 77", "work"), ("+49 555 0177 123", "mobile")),
        tags=("retainer",),
        notes="Job sheets on tablets for the fitters. Calls from the van; keep it short.",
    ),
    DemoClient(
        key="accountant",
        name="Aisling Byrne",
        organisation="Byrne Accountancy",
        role="Partner",
        emails=(("aisling@byrne-accountancy.example", "work"),),
        phones=(("+353 1 555 0172", "work"),),
        tags=("referral", "vip"),
        notes=(
            "Sends clients my way; a thank-you lunch twice a year.\n"
            "Small job of her own: the client portal."
        ),
    ),
    DemoClient(
        key="trattoria",
        name="Marco Bellini",
        organisation="Trattoria Bellini",
        role="Owner",
        emails=(("marco@trattoria-bellini.example", "work"),),
        phones=(("+44 20 7946 0925", "work"),),
        tags=("small",),
        notes="Table booking project finished. Sold the restaurant last year.",
        status=FORMER,
    ),
    DemoClient(
        key="games",
        name="Nina Korhonen",
        organisation="Northlight Games",
        role="Producer",
        emails=(("nina@northlight-games.example", "work"),),
        phones=(("+358 555 0192 44", "mobile"),),
        tags=("project",),
        notes="Build pipeline review. Studio works late; mornings are quiet.",
    ),
    DemoClient(
        key="library-friends",
        name="Daniel Okafor",
        organisation="Friends of the City Library",
        role="Chair",
        emails=(("chair@library-friends.example", "work"), ("d.okafor@home-mail.example", "home")),
        tags=("nonprofit", "small"),
        notes="Membership list and newsletter. Volunteer-run; answers come at weekends.",
    ),
    DemoClient(
        key="bridal",
        name="Sophie Laurent",
        organisation="Atelier Laurent",
        role="Owner and designer",
        emails=(("sophie@atelier-laurent.example", "work"),),
        phones=(("+33 1 99 00 73 18", "work"),),
        tags=("small",),
        notes="Appointment booking. On maternity leave until autumn; back in touch then.",
        status=PAUSED,
    ),
    DemoClient(
        key="logistics",
        name="Rafael Mendes",
        organisation="Mendes Logística",
        role="IT manager",
        emails=(("rafael.mendes@mendes-log.example", "work"),),
        phones=(("+351 21 555 0140", "work"), ("+351 555 014 099", "mobile")),
        tags=("retainer", "at-risk"),
        notes=(
            "Second invoice paid three weeks late and the last two replies were one line "
            "each. Worth a call, not another email."
        ),
    ),
    DemoClient(
        key="healthtech",
        name="Grace Tan",
        organisation="Lumen Health",
        role="Head of product",
        emails=(("grace.tan@lumenhealth.example", "work"),),
        phones=(("+1 (646) 555-0175", "mobile"),),
        tags=("project", "vip"),
        notes=(
            "Accessibility audit of the patient app, then fixes. Wants weekly written "
            "updates on Fridays."
        ),
    ),
    DemoClient(
        key="estate-agent",
        name="Pieter de Vries",
        organisation="De Vries Makelaardij",
        role="Director",
        emails=(("pieter@devries-makelaardij.example", "work"),),
        phones=(("+31 20 555 0163", "work"),),
        tags=("project",),
        notes="Listings feed to the property portals.",
        status=FORMER,
    ),
    DemoClient(
        key="designer",
        name="Sara Lindqvist",
        organisation="Lindqvist Design",
        role="Freelance designer",
        emails=(("sara@lindqvist-design.example", "work"),),
        phones=(("+46 8 555 011 20", "mobile"),),
        tags=("colleague", "referral"),
        notes="Does the visual side when a client needs it; we refer work both ways.",
    ),
    DemoClient(
        key="dental-lab",
        name="Ahmed Haddad",
        organisation="Cedar Dental Lab",
        role="Owner",
        emails=(("ahmed@cedar-lab.example", "work"),),
        phones=(("+44 1632 960884", "work"),),
        tags=("small", "referral"),
        notes="Order tracking for the dental practices he supplies. Met him through Amélie.",
    ),
    DemoClient(
        key="school",
        name="Claire Dubois-Martin",
        organisation="Riverside Primary School",
        role="School business manager",
        emails=(("bursar@riverside-primary.example", "work"),),
        phones=(("+44 20 7946 0648", "work"),),
        tags=("public sector", "project"),
        notes=(
            "Parent payments and trip consent forms. Term dates rule everything:\n"
            "nothing goes live during exams or the last week of term."
        ),
    ),
    DemoClient(
        key="roofing",
        name="Ben Carter",
        organisation="Carter & Sons Roofing",
        role="Owner",
        emails=(("ben@carter-roofing.example", "work"),),
        phones=(("+44 7700 900963", "mobile"),),
        tags=("small",),
        notes="Quote builder. We parted ways amicably: he wanted a cheaper off-the-shelf tool.",
        status=FORMER,
        archived=True,
    ),
    DemoClient(
        key="tea-house",
        name="Yuki Tanaka",
        organisation="Kumo Tea House",
        role="Owner",
        emails=(("yuki@kumo-tea.example", "work"),),
        tags=("small",),
        notes="Loyalty cards and a simple web shop for loose tea.",
    ),
    DemoClient(
        key="family-office",
        name="Olivia Grant",
        organisation="Grant Family Office",
        role="Chief of staff",
        emails=(("ogrant@grant-office.example", "work"),),
        phones=(("+1 (212) 555-0109", "work"), ("+1 (917) 555-0109", "mobile")),
        tags=("vip", "retainer"),
        notes=(
            "Discretion matters more than speed. Quarterly review in person.\n"
            "Never put names of family members in email subjects."
        ),
    ),
    DemoClient(
        key="private-author",
        name="Mateo Rossi",
        organisation="",
        role="Retired professor, writing a book",
        emails=(("mateo.rossi@home-mail.example", "home"),),
        phones=(("+39 06 555 0188", "home"),),
        tags=("small",),
        notes="Helping him set up a writing and backup routine. Happy to be called any time.",
    ),
    DemoClient(
        key="brewery",
        name="Siobhán Kelly",
        organisation="Hilltop Brewing Co.",
        role="Co-owner",
        emails=(("siobhan@hilltop-brewing.example", "work"),),
        phones=(("+353 1 555 0159", "work"),),
        tags=("project",),
        notes="Taproom events calendar. Project ended when they sold to a bigger brewery.",
        status=FORMER,
    ),
)


def fill_demo(book: Book, *, seed: int = 7, now: datetime | None = None) -> int:
    """Fill an empty book with the demo clients, in one unit of work.

    The same ``seed`` and ``now`` give the same ids and timestamps, so tests (and
    screenshots) can rely on them. Refuses a book that already has clients rather
    than mixing invented people into real ones.
    """
    now = now or utcnow()
    if now.utcoffset() is None:
        raise ValueError("fill_demo needs an aware datetime for now.")
    rng = random.Random(seed)
    with book.session() as s:
        if s.scalar(select(func.count(Client.id))):
            raise DemoError("The demo can only fill an empty book; this one already has clients.")
        for demo in DEMO_CLIENTS:
            data = demo.as_input()
            errors = validate_client(data)
            if errors:  # a mistake in the list above, not the user's
                raise ValueError(f"Demo client {demo.key!r} is invalid: {errors}")
            uid = uuid.UUID(int=rng.getrandbits(128), version=4).hex
            created_at = now - timedelta(
                days=rng.uniform(NEWEST_DAYS, HISTORY_DAYS), seconds=rng.randrange(86_400)
            )
            updated_at = created_at + (now - created_at) * rng.random()
            client = Client(uid=uid, created_at=created_at)
            s.add(client)
            apply_input(s, client, data.cleaned(), updated_at)
            if demo.archived:
                client.archived_at = updated_at + (now - updated_at) * rng.random()
    return len(DEMO_CLIENTS)
