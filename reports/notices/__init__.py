"""The notices (公示) Gongzhang prints, each built from ledger queries into a
:class:`reports.notice.Notice`: ``registry.KINDS`` lists them (which books each suits and the
function that builds it) and ``registry.build_notice`` is the one entry point (CLI, desktop,
tests); ``common`` holds what the builders share."""
