"""What a public notice may show of a person (DESIGN.md: individuals' names are masked)."""

from __future__ import annotations


def mask_name(name: str, *, is_individual: bool) -> str:
    """A person's name as a notice shows it; organisations are shown in full.

    Chinese names keep the first and last character (张*明, 李*, 欧阳**), as notice boards do;
    a one-character name becomes ``*``. Latin names keep the first letter of each word
    (``Li Wei`` → ``L* W**``).

    >>> mask_name("张晓明", is_individual=True), mask_name("李娜", is_individual=True)
    ('张*明', '李*')
    >>> mask_name("欧阳娜娜", is_individual=True)
    '欧**娜'
    >>> mask_name("天马镇好又多超市", is_individual=False)
    '天马镇好又多超市'
    """
    clean = name.strip()
    if not is_individual or not clean:
        return clean
    if clean.isascii():
        return " ".join(word[0] + "*" * (len(word) - 1) for word in clean.split())
    if len(clean) == 1:
        return "*"
    if len(clean) == 2:
        return clean[0] + "*"
    return clean[0] + "*" * (len(clean) - 2) + clean[-1]
