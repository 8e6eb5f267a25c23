"""Trust-style property service (信托制物业, 酬金制): units, fees, collections, common income, the
company's remuneration, the open budget (开放式预算) and the remuneration gift to a micro-fund.

Property fees and common-part income are the owners' common funds (共有资金, bank 100201); the
company is paid only its remuneration (酬金), a configured share of the fees; everything else is
spent under the owners' open budget. Every money movement is posted with
:func:`ledger.services.entries.post_entry`; the rows of this module (bills, collections,
remunerations, budgets, transfers) only say which unit, period or line an entry belongs to.

Decisions where the issue left a choice:

* **Rounding.** A unit's monthly fee is ``area_dm2 × rate / 100`` fen rounded half up
  (:func:`ledger.rules.property.monthly_fee`).
* **Billing.** A period is billed once, for the units registered at that moment, in ONE entry
  (Dr 1122 / Cr 4101 for the whole estate). Prepayments a unit holds are applied to its new
  bill in the same entry, on lines of their own (Dr 2203 / Cr 1122), so the voucher shows both
  the gross fees and what prepayments settled.
* **Collections** settle the unit's oldest unpaid bills first; part payments are fine. Money
  beyond what the unit owes is **kept as a prepayment** (预收物业费, Cr 2203), never refused,
  and settles the unit's next bills as they are issued. Which bill a fen paid is not stored: it
  is derived, oldest bill first, from everything the unit has paid, so it cannot drift.
* **Remuneration basis "collected"** (the default) is the fees settled in the month: money
  received in that month against bills, plus prepayments applied to that month's bills. A
  prepayment therefore counts when it is applied to a bill, not when it is received: the
  company earns on months it has served, and no fen counts twice. Basis "billed" is the
  period's bills. A period's remuneration is posted once, after the month has ended.
* **Open budget.** Budget lines are the typical lines of ``TRUST_EXPENSE_BY_BUDGET_LINE``; the
  creator of a budget is the actor of its ``budget.created`` audit event (the table has no
  column for it) and may not approve it. Money is spent only under an approved budget. The
  reserve line is an appropriation (Dr 5111 / Cr 3201 储备金), not a payment; the remuneration
  line is posted by :func:`post_remuneration`, not by :func:`spend`.
* **Gift.** The company's gift is paid by the estate's bank out of the remuneration still owed to
  the company (trust book: Dr 2251 / Cr 100201); the micro-fund receives it as a donation
  from the company, 物业酬金捐赠 (Dr 1002 / Cr 410104), with a numbered donation receipt
  (:func:`ledger.services.microfund.record_donation`). A :class:`~ledger.models.Transfer` row
  links the two entries.
"""

from ledger.services.property._common import (
    COMMON_INCOME_SOURCES,
    FEE_RATE_KEY,
    GIFT_KIND,
    GIFT_SHARE_KEY,
    REMUNERATION_BASIS_KEY,
    REMUNERATION_RATE_KEY,
)
from ledger.services.property.budget import (
    BudgetExecution,
    LineExecution,
    approve_budget,
    budget_execution,
    budget_line_account,
    budget_line_key,
    create_budget,
    get_budget,
    mark_budget_approved,
    spend,
)
from ledger.services.property.fees import (
    BillingResult,
    BuildingArrears,
    CollectionRate,
    CollectionResult,
    UnitAccount,
    arrears,
    arrears_by_building,
    bill_period,
    collect,
    collection_rate,
    fee_rate,
    record_common_income,
    set_fee_rate,
    unit_accounts,
)
from ledger.services.property.gift import (
    TransferView,
    gift_remuneration,
    transfers_of_book,
    transfers_of_entry,
)
from ledger.services.property.remuneration import (
    RemunerationRow,
    list_remunerations,
    pay_remuneration,
    post_remuneration,
    remuneration_basis_fen,
    remuneration_owed,
)
from ledger.services.property.units import (
    DEVELOPER_OWNER_KEY,
    add_unit,
    find_unit,
    list_units,
    unit_label,
)

__all__ = [
    "COMMON_INCOME_SOURCES",
    "DEVELOPER_OWNER_KEY",
    "FEE_RATE_KEY",
    "GIFT_KIND",
    "GIFT_SHARE_KEY",
    "REMUNERATION_BASIS_KEY",
    "REMUNERATION_RATE_KEY",
    "BillingResult",
    "BudgetExecution",
    "BuildingArrears",
    "CollectionRate",
    "CollectionResult",
    "LineExecution",
    "RemunerationRow",
    "TransferView",
    "UnitAccount",
    "add_unit",
    "approve_budget",
    "arrears",
    "arrears_by_building",
    "bill_period",
    "budget_execution",
    "budget_line_account",
    "budget_line_key",
    "collect",
    "collection_rate",
    "create_budget",
    "fee_rate",
    "find_unit",
    "get_budget",
    "gift_remuneration",
    "list_remunerations",
    "list_units",
    "mark_budget_approved",
    "pay_remuneration",
    "post_remuneration",
    "record_common_income",
    "remuneration_basis_fen",
    "remuneration_owed",
    "set_fee_rate",
    "spend",
    "transfers_of_book",
    "transfers_of_entry",
    "unit_accounts",
    "unit_label",
]
