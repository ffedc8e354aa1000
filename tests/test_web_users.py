"""`handouts users add|remove|list` and `handouts serve`'s checks before it listens, as a clinic's IT staff would run them."""
from __future__ import annotations

import json
import stat

from click.testing import CliRunner

from handouts.cli import main
from handouts.web.users import Users


def run(*arguments: str, input: str | None = None):
    return CliRunner().invoke(main, list(arguments), input=input)


def test_add_asks_twice_and_stores_only_a_scrypt_hash(tmp_path):
    instance = tmp_path / "instance"
    result = run("users", "add", "nurse1", "--instance", str(instance),
                 input="a long passphrase\na long passphrase\n")
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[-1] == f"User nurse1 added in {instance}"
    stored = json.loads((instance / "users.json").read_text())["users"]["nurse1"]
    assert stored.startswith("scrypt$32768$8$1$") and "passphrase" not in stored
    assert Users(instance / "users.json").check("nurse1", "a long passphrase")
    assert not Users(instance / "users.json").check("nurse1", "a long passphrasE")
    assert stat.S_IMODE(instance.stat().st_mode) == 0o700
    assert stat.S_IMODE((instance / "users.json").stat().st_mode) == 0o600


def test_two_different_entries_are_refused(tmp_path):
    result = run("users", "add", "nurse1", "--instance", str(tmp_path / "i"),
                 input="a long passphrase\nanother passphrase\n" + "x\n" * 10)
    assert result.exit_code != 0
    assert "Error: The two entered values do not match." in result.output
    assert not (tmp_path / "i" / "users.json").exists()


def test_password_stdin_reads_one_line_and_a_second_add_changes_it(tmp_path):
    instance = str(tmp_path / "instance")
    assert run("users", "add", "nurse1", "--instance", instance, "--password-stdin", input="first passphrase\n").exit_code == 0
    result = run("users", "add", "nurse1", "--instance", instance, "--password-stdin", input="second passphrase\nignored\n")
    assert result.output == f"User nurse1 has a new password in {instance}\n"
    users = Users(tmp_path / "instance" / "users.json")
    assert users.check("nurse1", "second passphrase") and not users.check("nurse1", "first passphrase")


def test_short_passwords_and_odd_names_are_refused_with_the_rule(tmp_path):
    short = run("users", "add", "nurse1", "--instance", str(tmp_path / "i"), "--password-stdin", input="short\n")
    assert (short.exit_code, short.output) == (1, "password: expected a password of 10 to 1024 characters, found 5 "
                                                  "characters; a few unrelated words are easy to remember\n")
    odd = run("users", "add", "nurse one", "--instance", str(tmp_path / "i"), "--password-stdin",
              input="a long passphrase\n")
    assert (odd.exit_code, odd.output) == (1, "user name: expected a user name of letters, digits, '.', '_' and '-', "
                                              "at most 64 characters, found 'nurse one'\n")
    assert not (tmp_path / "i" / "users.json").exists()


def test_list_and_remove(tmp_path):
    instance = str(tmp_path / "instance")
    for name in ("nurse2", "nurse1"):
        run("users", "add", name, "--instance", instance, "--password-stdin", input="a long passphrase\n")
    assert run("users", "list", "--instance", instance).output == "nurse1\nnurse2\n"
    assert run("users", "remove", "nurse1", "--instance", instance).output == f"User nurse1 removed from {instance}\n"
    assert run("users", "list", "--instance", instance).output == "nurse2\n"
    missing = run("users", "remove", "nurse1", "--instance", instance)
    assert (missing.exit_code, missing.output) == (1, f"{instance}: no user nurse1; 'handouts users list' shows them\n")


def test_serve_without_users_says_how_to_add_one_and_does_not_listen(tmp_path):
    instance = tmp_path / "instance"
    result = run("serve", "--instance", str(instance), "--content", "content")
    assert result.exit_code == 1
    assert result.output == (f"No users yet in {instance}: add one first with "
                             f"'handouts users add NAME --instance {instance}'\n")


def test_serve_refuses_half_the_mail_settings(tmp_path):
    result = run("serve", "--instance", str(tmp_path / "i"), "--smtp-host", "127.0.0.1")
    assert result.exit_code == 2
    assert "--smtp-host and --from: give both for email from the page, or neither" in result.output


def test_serve_with_content_that_does_not_validate_lists_every_problem(tmp_path, write):
    write("bad.yaml", "id: bad\ntitle: Bad\nkind: discharge\nsections: []\n")
    result = run("serve", "--instance", str(tmp_path / "i"), "--content", str(tmp_path / "content"))
    assert result.exit_code == 1
    assert result.output.startswith(f"{tmp_path / 'content' / 'bad.yaml'}:")
    assert "Traceback" not in result.output
