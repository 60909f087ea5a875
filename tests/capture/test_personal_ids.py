import itertools

from peerlog.capture import personal_ids


def test_check_digit_catches_every_single_digit_typo_and_adjacent_swap():
    pid = "483927" if personal_ids.is_valid("483927") else "48392" + personal_ids.check_digit("48392")
    assert personal_ids.is_valid(pid)
    for i, d in itertools.product(range(len(pid)), "0123456789"):
        typo = pid[:i] + d + pid[i + 1 :]
        assert personal_ids.is_valid(typo) == (typo == pid), typo
    for i in range(len(pid) - 1):
        swapped = pid[:i] + pid[i + 1] + pid[i] + pid[i + 2 :]
        if swapped != pid:
            assert not personal_ids.is_valid(swapped), swapped


def test_new_ids_are_valid_unique_and_of_the_asked_length():
    taken: set[str] = set()
    for _ in range(500):
        pid = personal_ids.new_id(5, taken)
        assert len(pid) == 6 and pid[0] != "0" and personal_ids.is_valid(pid)
        assert pid not in taken
        taken.add(pid)


def test_normalise_and_display():
    assert personal_ids.normalise(" 483 92-7 ") == "483927"
    assert personal_ids.display("483927") == "483 927"
    assert not personal_ids.is_valid("abc")
    assert not personal_ids.is_valid("")
