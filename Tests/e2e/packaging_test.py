"""The manual page, the version and scripts/install, against the debug build (no release build: CI's time)."""
import os
import shutil
import subprocess
import sys
import tempfile

BINARY = os.path.abspath(os.environ.get("CALICO_SHELL_BINARY") or ".build/debug/calico-shell")
passed = failed = 0


def check(name, body):
    global passed, failed
    try:
        body()
        passed += 1
        print(f"ok - {name}")
    except Exception as error:  # noqa: BLE001 - report every failure and go on
        failed += 1
        print(f"FAIL - {name}: {type(error).__name__}: {error}")


def run(arguments, **options):
    return subprocess.run(arguments, capture_output=True, text=True, timeout=120, **options)


def man_page_is_current():
    result = run(["scripts/generate-man", "--binary", BINARY, "--check"])
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr


def man_page_renders():
    env = {k: v for k, v in os.environ.items() if k != "MAN_KEEP_FORMATTING"}  # any value keeps bold etc.
    result = run(["man", "-l", "docs/calico-shell.1"], env=dict(env, MANWIDTH="100"))
    assert result.returncode == 0, result.stderr
    text = result.stdout
    assert "warning" not in result.stderr, result.stderr
    for heading in ["NAME", "SYNOPSIS", "OPTIONS", "COMMANDS", "CONFIGURATION FILE", "ENVIRONMENT", "SCRIPTING",
                    "EXIT STATUS", "EXAMPLES"]:
        assert f"\n{heading}\n" in text, heading
    help_text = run([BINARY, "--help"]).stdout
    for option in ["--endpoints", "--config", "--show-config", "--cacert", "--atomic", "--no-history", "-c"]:
        assert option in help_text and option in text, option
    assert "--load-demo-data" not in text


def snapshot(folder):
    """Every path under folder with its type and content, to compare before and after."""
    result = {}
    for root, folders, files in os.walk(folder):
        for name in folders:
            result[os.path.relpath(os.path.join(root, name), folder)] = "dir"
        for name in files:
            with open(os.path.join(root, name), "rb") as handle:
                result[os.path.relpath(os.path.join(root, name), folder)] = handle.read()
    return result


def install_and_uninstall_leave_the_prefix_as_before():
    prefix = tempfile.mkdtemp(prefix="calico-shell-prefix-")
    try:
        # A prefix already in use: shared folders and someone else's files must survive the uninstall.
        os.makedirs(os.path.join(prefix, "share", "man", "man1"))
        with open(os.path.join(prefix, "share", "man", "man1", "other.1"), "w") as other:
            other.write(".TH OTHER 1\n")
        before = snapshot(prefix)
        installed = run(["scripts/install", "--prefix", prefix, "--binary", BINARY])
        assert installed.returncode == 0, installed.stderr
        for path in ["bin/calico-shell", "share/man/man1/calico-shell.1",
                     "share/bash-completion/completions/calico-shell", "share/zsh/site-functions/_calico-shell",
                     "share/fish/vendor_completions.d/calico-shell.fish"]:
            assert os.path.isfile(os.path.join(prefix, path)), path
        version = run([os.path.join(prefix, "bin", "calico-shell"), "--version"])
        assert version.stdout.startswith("calico-shell "), version.stdout
        again = run(["scripts/install", "--prefix", prefix, "--binary", BINARY])
        assert again.returncode == 0, again.stderr
        removed = run(["scripts/install", "--uninstall", "--prefix", prefix])
        assert removed.returncode == 0, removed.stderr
        after = snapshot(prefix)
        assert after == before, sorted(set(after) ^ set(before))
    finally:
        shutil.rmtree(prefix, ignore_errors=True)


def version_matches_the_version_file():
    with open("VERSION") as version_file:
        version = version_file.read().strip()
    result = run([BINARY, "--version"])
    assert result.returncode == 0, result.stderr
    assert result.stdout == f"calico-shell {version} (etcd v3 API over gRPC)\n", result.stdout


def main():
    check("the committed manual page is what scripts/generate-man makes", man_page_is_current)
    check("man -l renders the manual page with every section and option", man_page_renders)
    check("install and uninstall leave a prefix exactly as before", install_and_uninstall_leave_the_prefix_as_before)
    check("--version prints the VERSION file's version and the etcd protocol", version_matches_the_version_file)
    print(f"{passed} passed, {failed} failed")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
