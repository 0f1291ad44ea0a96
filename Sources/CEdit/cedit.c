#include "cedit.h"
#include <string.h>

int cedit_set_prompt(EditLine *el, cedit_prompt_fn prompt) { return el_set(el, EL_PROMPT, prompt); }
int cedit_set_editor(EditLine *el, const char *mode) { return el_set(el, EL_EDITOR, mode); }
int cedit_set_signal(EditLine *el, int handle_signals) { return el_set(el, EL_SIGNAL, handle_signals); }
int cedit_set_client_data(EditLine *el, void *data) { return el_set(el, EL_CLIENTDATA, data); }

void *cedit_get_client_data(EditLine *el) {
    void *data = NULL;
    el_get(el, EL_CLIENTDATA, &data);
    return data;
}

int cedit_add_function(EditLine *el, const char *name, const char *help, cedit_command_fn fn) {
    return el_set(el, EL_ADDFN, name, help, fn);
}

int cedit_bind(EditLine *el, const char *key, const char *function_name) {
    return el_set(el, EL_BIND, key, function_name, NULL);
}

// EL_HIST takes the history function itself, then the History it works on.
int cedit_use_history(EditLine *el, History *h) { return el_set(el, EL_HIST, history, h); }
int cedit_insert(EditLine *el, const char *text) { return el_insertstr(el, text); }

int cedit_line_before_cursor(EditLine *el, char *buffer, int size) {
    const LineInfo *info = el_line(el);
    int length = (int)(info->cursor - info->buffer);
    if (length >= size) length = size - 1;
    memcpy(buffer, info->buffer, (size_t)length);
    buffer[length] = 0;
    return length;
}

History *cedit_history_init(void) { return history_init(); }

int cedit_history_set_size(History *h, int size) {
    HistEvent event;
    return history(h, &event, H_SETSIZE, size);
}

int cedit_history_set_unique(History *h, int unique) {
    HistEvent event;
    return history(h, &event, H_SETUNIQUE, unique);
}

int cedit_history_enter(History *h, const char *line) {
    HistEvent event;
    return history(h, &event, H_ENTER, line);
}

#include <signal.h>
#include <unistd.h>

static int sigint_fd = -1;

static void cedit_on_sigint(int signo) {
    (void)signo;
    char byte = 1;
    if (sigint_fd >= 0) { ssize_t ignored = write(sigint_fd, &byte, 1); (void)ignored; }
}

int cedit_forward_sigint(int write_fd) {
    struct sigaction action;
    sigint_fd = write_fd;
    memset(&action, 0, sizeof action);
    action.sa_handler = cedit_on_sigint;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_RESTART;
    return sigaction(SIGINT, &action, NULL);
}

#include <sys/resource.h>

// Ctrl-\ (SIGQUIT) is a request to quit, not a crash: without this, Swift's runtime reports it
// as one (a backtrace) and the program goes on. Here it quits the default way, killed by the
// signal as shells expect, without a core file.
static void cedit_on_sigquit(int signo) {
    struct rlimit none = {0, 0};
    setrlimit(RLIMIT_CORE, &none);
    signal(signo, SIG_DFL);
    raise(signo);
}

int cedit_quit_quietly_on_sigquit(void) {
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = cedit_on_sigquit;
    sigemptyset(&action.sa_mask);
    return sigaction(SIGQUIT, &action, NULL);
}

void cedit_abandon_line(EditLine *el) {
    const LineInfo *info = el_line(el);
    FILE *out = NULL;
    if (el_get(el, EL_GETFP, 1, &out) != 0 || out == NULL) return;
    // Writing out the text after the cursor again moves the terminal's cursor to the end of the
    // line without changing what is shown; then `^C` and a new line, as shells do.
    fwrite(info->cursor, 1, (size_t)(info->lastchar - info->cursor), out);
    fputs("^C\n", out);
    fflush(out);
}
