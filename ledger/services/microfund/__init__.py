"""The community micro-fund (社区微基金): donations with numbered receipts, activities, expenses
under maker-checker, restricted money, and the households' points ledger.

Decisions (the issue left them open):

* **Receipt numbers** are ``捐-YYYY-NNNN``: gapless per book and year of the donation date. The
  number is taken after the donation's entry is posted, which holds the book's lock, and in the
  same unit of work: a refused donation rolls everything back, so no number is skipped.
* **Purposes.** Restricted money names an activity of the book (its exact name) or a spending
  category (``environment``, ``环境整治``, ``Environmental clean-up`` all mean the same; the key is
  stored). An activity cannot be named like a category, so a purpose is never ambiguous. An
  expense paid from money restricted to an activity is linked to that activity when no activity
  is given.
* **Restricted balances** count donations restricted to the purpose minus posted expenses paid
  from it. When an expense is recorded it may use only what is left after the expenses of the
  same purpose already waiting for approval; when it is finally posted, what is left after the
  posted ones. Donations and expenses whose entry was reversed (红字冲销) no longer count, here
  and in activities' actual spending.
* **Hardship help (困难帮扶).** Who was helped goes only into ``private_note`` (required). The
  public memo is written by the ledger (``困难帮扶（2024年1月）``); a memo typed for a hardship
  payment is refused, and so is a payee, since either would put the family's name on the entry,
  in the journal and in every notice built from it.
* **Maker-checker.** An expense at or above ``approval_threshold_fen`` (default ¥1,000.00) waits
  for ``approvals_required`` (default 2) approvers other than its recorder; the number is copied
  onto the expense when it is recorded. Below the threshold it is posted at once. One rejection
  (with a reason) ends a pending expense. The entry is recorded by the recorder and approved by
  the last approver. Approving, rejecting and the pending queue work on the ``Expense`` rows of
  any kind of book, so other books' spending that needs approval can share them.
* **Points** are whole numbers per household and book; a redemption that would take a balance
  below zero is refused, and a redemption may point to the ``points_redemption`` expense that
  bought the goods.
"""

from ledger.services.microfund._common import (
    MAX_MEMO_LENGTH,
    MAX_NAME_LENGTH,
    MAX_NOTE_LENGTH,
    MAX_PARTICIPANTS,
    MAX_REASON_LENGTH,
    PENDING,
    POSTED,
    REJECTED,
    micro_fund_book,
    resolve_purpose,
)
from ledger.services.microfund.activities import (
    ActivitySummary,
    activity_summary,
    add_activity,
    check_participants,
    find_activity,
    list_activities,
    set_participants,
)
from ledger.services.microfund.donations import (
    ReceiptView,
    find_receipt,
    list_receipts,
    receipt_view,
    record_donation,
)
from ledger.services.microfund.expenses import (
    ExpenseView,
    approve_expense,
    attach_expense_receipt,
    expense_view,
    find_expense,
    list_expenses,
    pending_expenses,
    record_expense,
    reject_expense,
    status_label,
)
from ledger.services.microfund.points import (
    PointsLine,
    earn_points,
    points_balance,
    points_balances,
    points_history,
    redeem_points,
)
from ledger.services.microfund.restricted import (
    RestrictedBalance,
    restricted_balance_of,
    restricted_balances,
)

__all__ = [
    "MAX_MEMO_LENGTH",
    "MAX_NAME_LENGTH",
    "MAX_NOTE_LENGTH",
    "MAX_PARTICIPANTS",
    "MAX_REASON_LENGTH",
    "PENDING",
    "POSTED",
    "REJECTED",
    "ActivitySummary",
    "ExpenseView",
    "PointsLine",
    "ReceiptView",
    "RestrictedBalance",
    "activity_summary",
    "add_activity",
    "approve_expense",
    "attach_expense_receipt",
    "check_participants",
    "earn_points",
    "expense_view",
    "find_activity",
    "find_expense",
    "find_receipt",
    "list_activities",
    "list_expenses",
    "list_receipts",
    "micro_fund_book",
    "pending_expenses",
    "points_balance",
    "points_balances",
    "points_history",
    "receipt_view",
    "record_donation",
    "record_expense",
    "redeem_points",
    "reject_expense",
    "resolve_purpose",
    "restricted_balance_of",
    "restricted_balances",
    "set_participants",
    "status_label",
]
