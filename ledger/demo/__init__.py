"""The demo ledger: the three seed cases as books, a year of plausible activity each, and the
residents' decisions of its December. One module per book kind (``microfund``, ``property``,
``sharing``), one for the votes, and ``build`` putting them together; everything is posted
through the services, so the demo verifies like any ledger."""

from ledger.demo.build import DEMO_PASSWORD, DEMO_YEAR, DemoSummary, build_demo
from ledger.demo.microfund import MicrofundDemo, build_microfund_demo
from ledger.demo.property import DEMO_BUDGET, PropertyDemoSummary, build_property_demo
from ledger.demo.sharing import SharingDemo, build_sharing_demo
from ledger.demo.votes import build_votes_demo

__all__ = [
    "DEMO_BUDGET",
    "DEMO_PASSWORD",
    "DEMO_YEAR",
    "DemoSummary",
    "MicrofundDemo",
    "PropertyDemoSummary",
    "SharingDemo",
    "build_demo",
    "build_microfund_demo",
    "build_property_demo",
    "build_sharing_demo",
    "build_votes_demo",
]
