"""Drives the real calico-shell binary on a pseudo-terminal against a private etcd.

libedit redraws only the part of a word that completion added (and rings the bell), so the
assertions look at what a command printed after Enter, or at the suffix that was inserted.
"""
import os
import shutil
import socket
import stat
import subprocess
import sys
import tempfile
import time

import pexpect

# CALICO_SHELL_BINARY runs these tests against another build (e.g. to see a new test fail on old code).
BINARY = os.path.abspath(os.environ.get("CALICO_SHELL_BINARY") or ".build/debug/calico-shell")
# The developer tool that loads the demo data (CALICO_SHELL_DEV_BINARY: another build of it).
DEV_BINARY = os.path.abspath(os.environ.get("CALICO_SHELL_DEV_BINARY") or ".build/debug/calico-shell-dev")
PROMPT = "> "
TIMEOUT = 15
E1 = "d79123c4784511e5bd1a080027f532f6"   # no profiles in the reference data
E2 = "d50c35bc784511e5bd1a080027f532f6"   # PROF
passed = failed = 0


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_etcd(folder):
    client, peer = free_port(), free_port()
    url, peer_url = f"http://127.0.0.1:{client}", f"http://127.0.0.1:{peer}"
    log = open(os.path.join(folder, "etcd.log"), "w")
    process = subprocess.Popen(
        ["etcd", "--name", "e2e", "--data-dir", os.path.join(folder, "data"),
         "--listen-client-urls", url, "--advertise-client-urls", url,
         "--listen-peer-urls", peer_url, "--initial-advertise-peer-urls", peer_url,
         "--initial-cluster", f"e2e={peer_url}"], stdout=log, stderr=log)
    return process, url


def shell(url, home):
    env = dict(os.environ, TERM="dumb", EDITRC="/dev/null", XDG_STATE_HOME=os.path.join(home, "state"), HOME=home)
    child = pexpect.spawn(BINARY, ["--endpoints", url], env=env, encoding="utf-8", timeout=TIMEOUT, dimensions=(40, 200))
    child.expect("endpoints indexed")
    child.expect(PROMPT)
    return child


def check(name, body):
    global passed, failed
    try:
        body()
        passed += 1
        print(f"ok - {name}")
    except Exception as error:  # noqa: BLE001 - report every failure and go on
        failed += 1
        print(f"FAIL - {name}: {type(error).__name__}: {error}")


def main():
    folder = tempfile.mkdtemp(prefix="calico-shell-e2e-")
    etcd, url = start_etcd(folder)
    try:
        deadline = time.time() + 20
        while subprocess.run([DEV_BINARY, "load-demo", "--endpoints", url],
                             capture_output=True, timeout=30).returncode != 0:
            if time.time() > deadline:
                raise SystemExit("etcd did not start")
            time.sleep(0.3)
        child = shell(url, folder)

        def id_prefix():
            child.send("endpoint d50c3\t")
            child.send("profile show\r")
            child.expect(r"\| PROF \|")
            child.expect(PROMPT)

        def verb():
            child.send(f"endpoint {E2} profile sh\t")
            child.send("\r")
            child.expect(r"\| PROF \|")
            child.expect(PROMPT)

        def profile_name():
            child.send(f"endpoint {E1} profile append W\t")
            child.send("\r")
            child.expect(r"Profile\(s\) WEB appended\.")
            child.expect(PROMPT)

        def option_and_host():
            child.send("endpoint show --ho\t")
            child.send("cal\t")
            child.send("\r")
            child.expect(r"\|  calico  \|      docker     \|          5          \|          5          \|")
            child.expect(PROMPT)

        def alive(word):
            """Runs `echo` of a word split by quotes: only running the command prints it whole, on
            a line of its own (the echo of the typed keys shows the quotes)."""
            child.send(f"echo {word[:2]}''{word[2:]}\r")
            child.expect(f"\r\n{word}\r\n")
            child.expect(PROMPT)

        def double_tab_lists_ids():
            child.send("endpoint d\t\t")
            child.expect("d0bd03d8784511e5bd1a080027f532f6")
            child.expect("d9d6c3a0784511e5bd1a080027f532f6")
            child.send("\x03")  # Ctrl-C abandons the line
            alive("alive-after-listing")

        def ctrl_c_cancels_line():
            child.send("endpoint sh")
            child.send("\x03")
            alive("alive")
            child.send("endpoint show --ho\t")  # a completed word, then Ctrl-C
            child.send("\x03")
            alive("alive-after-completion")

        def ctrl_c_on_an_empty_line_keeps_the_shell():
            child.send("\x03")
            child.send("\x03")
            alive("still-alive")

        def ctrl_c_runs_nothing():
            # `set` with no profiles would clear them: abandoned, it must not run, not even on Enter.
            child.send(f"endpoint {E2} profile set")
            child.send("\x03")
            child.send("\r")
            child.expect(PROMPT)
            child.send(f"endpoint {E2} profile show\r")
            child.expect(r"\| PROF \|")
            child.expect(PROMPT)

        def ctrl_c_new_prompt_on_a_new_line():
            child.send("echo abandoned")
            child.send("\x03")
            child.expect(r"echo abandoned[^\r\n]*\r?\n[^\r\n]*" + PROMPT)
            alive("prompt-ok")

        def abandoned_line_not_in_history():
            alive("remembered")
            child.send("echo forgot''ten")
            child.send("\x03")
            child.expect(PROMPT)
            child.send("\x1b[A\r")  # Up: the last command run, not the abandoned one
            child.expect("\r\nremembered\r\n")
            child.expect(PROMPT)

        def second_tab_after_option_lists_hosts():
            child.send("endpoint show --ho\t")
            child.send("\t")  # one more TAB after `--host=`: the hosts are listed
            child.expect("node-003")
            child.expect("node-005")
            child.send("\x03")
            alive("after-hosts")

        def external_write_completes():
            value = '{"state":"active","name":"x","mac":null,"profile_ids":[],"ipv4_nets":[],"ipv6_nets":[]}'
            subprocess.run(["etcdctl", "--endpoints", url, "put",
                            "/calico/v1/host/other/workload/k8s/w1/endpoint/zz-external-1", value],
                           env=dict(os.environ, ETCDCTL_API="3"), check=True, capture_output=True, timeout=30)
            time.sleep(1)  # the watch delivers in milliseconds; a loaded CI machine gets room
            child.send("endpoint zz\t")
            child.send("profile show\r")
            child.expect("Endpoint has no profiles associated with it.")
            child.expect(PROMPT)

        def up_recalls_previous():
            child.send("echo recalled-line\r")
            child.expect("recalled-line")
            child.expect(PROMPT)
            child.send("\x1b[A\r")
            child.expect("recalled-line")
            child.expect(PROMPT)

        def errors_keep_the_shell_alive():
            child.send("endpiont show\r")
            child.expect("did you mean 'endpoint'")
            child.send("echo still-here\r")
            child.expect("still-here")
            child.expect(PROMPT)

        def backslash_continues_a_line():
            """The terminal goes through the same loop as scripts: a trailing backslash continues
            the line on the next one. Only running the joined command prints the word whole."""
            child.send("echo contin\\\r")
            child.expect("> ")
            child.send("ued-line\r")
            child.expect("\r\ncontinued-line\r\n")
            child.expect(PROMPT)

        def a_large_bulk_edit_asks_first():
            """At the terminal, a bulk edit that would change more than 10 endpoints prints the plan's
            total and asks; anything but y writes nothing, y writes, --yes does not ask, and a small
            one does not ask either. The counts are printed only by running the commands."""
            edit = "endpoint '*' profile append WEB --host=node-000 --orchestrator=docker"
            child.send(edit + "\r")
            child.expect(r"Plan: 40 endpoint\(s\) to change, 0 unchanged")
            child.expect(r"Apply\? \[y/N\] ")
            child.send("n\r")
            child.expect("Nothing was written.")
            child.expect(PROMPT)
            child.send(edit + " --dry-run\r")  # still all 40 to change: nothing was written
            child.expect(r"\+ WEB")
            child.expect(r"Plan: 40 endpoint\(s\) to change, 0 unchanged, 0 failed line\(s\); nothing was written")
            child.expect(PROMPT)
            child.send(edit + "\r")
            child.expect(r"Apply\? \[y/N\] ")
            child.send("y\r")
            child.expect(r"Profile\(s\) WEB appended to 40 endpoint\(s\); 0 already had it\.")
            child.expect(PROMPT)
            child.send("endpoint '*' profile remove WEB --host=node-000 --yes\r")
            child.expect(r"Profile\(s\) WEB removed from 40 endpoint\(s\); 10 did not have it\.")
            child.expect(PROMPT)
            child.send("endpoint '*' profile append WEB --host=node-000 --orchestrator=k8s --workload='*-00*'\r")
            child.expect(r"Profile\(s\) WEB appended to 10 endpoint\(s\); 0 already had it\.")
            child.expect(PROMPT)

        def ctrl_d_exits_zero():
            child.send("\x04")
            child.expect(pexpect.EOF)
            child.close()
            assert child.exitstatus == 0, child.exitstatus

        for name, body in [("TAB completes an endpoint ID prefix", id_prefix), ("TAB completes a verb", verb),
                           ("TAB completes a profile name", profile_name), ("TAB completes an option and a host", option_and_host),
                           ("double TAB lists several IDs", double_tab_lists_ids), ("Ctrl-C cancels a line", ctrl_c_cancels_line),
                           ("Ctrl-C on an empty line keeps the shell", ctrl_c_on_an_empty_line_keeps_the_shell),
                           ("an abandoned line never runs", ctrl_c_runs_nothing),
                           ("after Ctrl-C the prompt is on a new line", ctrl_c_new_prompt_on_a_new_line),
                           ("an abandoned line is not in history", abandoned_line_not_in_history),
                           ("the second TAB after --host= lists the hosts", second_tab_after_option_lists_hosts),
                           ("an endpoint written by another client completes", external_write_completes),
                           ("Up recalls the previous command", up_recalls_previous),
                           ("a trailing backslash continues the line", backslash_continues_a_line),
                           ("a large bulk edit at the terminal asks first", a_large_bulk_edit_asks_first),
                           ("an error keeps the shell alive", errors_keep_the_shell_alive),
                           ("Ctrl-D exits 0", ctrl_d_exits_zero)]:
            check(name, body)

        history = os.path.join(folder, "state", "calico-shell", "history")

        def history_file_is_private():
            mode = stat.S_IMODE(os.stat(history).st_mode)
            assert mode == 0o600, oct(mode)
            assert "echo recalled-line" in open(history).read()

        def up_after_restart():
            again = shell(url, folder)
            again.send("\x1b[A\r")  # the last command of the previous session
            again.expect("still-here")
            again.expect(PROMPT)
            again.send("exit\r")
            again.expect(pexpect.EOF)

        def ctrl_c_stops_a_running_command():
            frozen = shell(url, folder)
            os.kill(etcd.pid, 19)  # SIGSTOP: etcd stops answering, so the next command waits
            try:
                frozen.send("endpoint show\r")
                time.sleep(1)
                started = time.time()
                frozen.sendintr()
                frozen.expect("cancelled")
                frozen.expect(PROMPT)
                assert time.time() - started < 3, "Ctrl-C took too long"
            finally:
                os.kill(etcd.pid, 18)  # SIGCONT
            frozen.send("echo survived\r")
            frozen.expect("survived")
            frozen.send("quit\r")
            frozen.expect(pexpect.EOF)

        def prompt_does_not_wait_for_the_index():
            """With etcd frozen, the prompt still comes at once (the index loads behind it), a
            builtin answers, a command that needs the index waits until Ctrl-C, and once etcd
            answers again the same shell shows the endpoints."""
            os.kill(etcd.pid, 19)  # SIGSTOP
            try:
                env = dict(os.environ, TERM="dumb", EDITRC="/dev/null", XDG_STATE_HOME=os.path.join(folder, "state"),
                           HOME=folder)
                started = time.time()
                waiting = pexpect.spawn(BINARY, ["--endpoints", url, "--dial-timeout", "30"], env=env,
                                        encoding="utf-8", timeout=TIMEOUT, dimensions=(40, 200))
                waiting.expect("loading the endpoint index in the background")
                waiting.expect(PROMPT)
                assert time.time() - started < 3, f"the prompt took {time.time() - started:.1f} s"
                alive_in = waiting
                alive_in.send("echo ear''ly\r")
                alive_in.expect("\r\nearly\r\n")
                waiting.expect(PROMPT)
                waiting.send("endpoint show\r")
                time.sleep(1)
                waiting.sendintr()
                waiting.expect("cancelled")
                waiting.expect(PROMPT)
            finally:
                os.kill(etcd.pid, 18)  # SIGCONT
            waiting.send("endpoint show\r")
            waiting.expect(r"\|  calico  \|      docker     \|")
            waiting.expect(PROMPT)
            waiting.send("quit\r")
            waiting.expect(pexpect.EOF)

        def ctrl_c_ends_a_watch():
            """`endpoint watch` prints a change made by another client as it happens, and Ctrl-C ends it."""
            watching = shell(url, folder)
            watching.send("endpoint watch --host=watched\r")
            time.sleep(1.5)  # the watch subscribes after one freshness read
            value = '{"state":"active","name":"x","mac":null,"profile_ids":["PROF"],"ipv4_nets":[],"ipv6_nets":[]}'
            subprocess.run(["etcdctl", "--endpoints", url, "put",
                            "/calico/v1/host/watched/workload/k8s/w1/endpoint/zz-watched-1", value],
                           env=dict(os.environ, ETCDCTL_API="3"), check=True, capture_output=True, timeout=30)
            watching.expect("added watched/k8s/w1/zz-watched-1 profiles=PROF state=active")
            watching.sendintr()
            watching.expect(PROMPT)
            watching.send("echo after-watch\r")
            watching.expect("\r\nafter-watch\r\n")
            watching.send("quit\r")
            watching.expect(pexpect.EOF)

        prefix = os.path.join(folder, "prefix")
        installed = subprocess.run(["scripts/install", "--prefix", prefix, "--binary", BINARY],
                                   capture_output=True, text=True, timeout=120)
        assert installed.returncode == 0, installed.stderr

        def completing_shell(name):
            """An interactive bash, zsh or fish with only the completion scripts scripts/install put in the
            prefix (no user configuration), and the installed calico-shell on PATH."""
            env = dict(os.environ, PATH=os.path.join(prefix, "bin") + ":" + os.environ["PATH"], TERM="dumb",
                       HOME=folder, XDG_CONFIG_HOME=os.path.join(folder, "config"))
            share = os.path.join(prefix, "share")
            if name == "bash":
                child = pexpect.spawn("bash", ["--norc", "--noprofile", "-i"], env=env, encoding="utf-8",
                                      timeout=TIMEOUT, dimensions=(40, 400))
                child.sendline(f"source {share}/bash-completion/completions/calico-shell")
            elif name == "zsh":
                child = pexpect.spawn("zsh", ["-f", "-i"], env=env, encoding="utf-8", timeout=TIMEOUT,
                                      dimensions=(40, 400))
                child.sendline(f"fpath=({share}/zsh/site-functions $fpath); autoload -U compinit; compinit -u")
            else:
                child = pexpect.spawn("fish", ["--no-config", "-i"], env=env, encoding="utf-8", timeout=TIMEOUT,
                                      dimensions=(40, 400))
                child.sendline(f"source {share}/fish/vendor_completions.d/calico-shell.fish")
            child.sendline("printf '<%s>\\n' ready")
            child.expect("<ready>")
            return child

        def shell_completion(name):
            def body():
                child = completing_shell(name)
                try:
                    # zsh lists a lone option with its description on the first TAB, inserts it on the second.
                    tabs = "\t\t" if name == "zsh" else "\t"
                    child.send("calico-shell --out" + tabs)
                    time.sleep(0.5)
                    child.send(" json -c 'echo option-completed'\r")
                    child.expect("\r\noption-completed\r\n")
                    # An endpoint ID inside -c "...", from the live etcd named by --endpoints on the line.
                    child.send(f'calico-shell --endpoints {url} -c "endpoint d50c\t')
                    time.sleep(3)
                    child.send("\r")
                    child.expect(f"Incomplete command: expected 'endpoint {E2} profile")
                    # A host after --host=, then the command runs with it.
                    child.send(f'calico-shell --endpoints {url} -c "endpoint show --host=cal\t')
                    time.sleep(3)
                    child.send("\r")
                    child.expect(r"\|  calico  \|      docker     \|          5          \|          5          \|")
                finally:
                    child.close(force=True)
            return body

        check("the history file exists with mode 0600", history_file_is_private)
        for name in ["bash", "zsh", "fish"]:
            check(f"{name} completes options, and endpoint IDs and hosts inside -c from etcd", shell_completion(name))
        check("Up recalls the previous command after a restart", up_after_restart)
        check("Ctrl-C stops a running command and the shell lives on", ctrl_c_stops_a_running_command)
        check("the prompt does not wait for the index; Ctrl-C stops a wait for it", prompt_does_not_wait_for_the_index)
        check("endpoint watch prints a change as it happens and Ctrl-C ends it", ctrl_c_ends_a_watch)
    finally:
        etcd.terminate()
        etcd.wait(timeout=10)
        shutil.rmtree(folder, ignore_errors=True)
    print(f"{passed} passed, {failed} failed")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
