// Non-variadic wrappers around libedit's native API (histedit.h).
// Swift cannot call C variadic functions such as el_set() and history(), and libedit has no
// va_list forms, so each operation calico-shell needs gets one small typed function here.
#ifndef CEDIT_H
#define CEDIT_H

#include <histedit.h>
#include <stdio.h>

typedef char *(*cedit_prompt_fn)(EditLine *);
typedef unsigned char (*cedit_command_fn)(EditLine *, int);

int cedit_set_prompt(EditLine *el, cedit_prompt_fn prompt);
int cedit_set_editor(EditLine *el, const char *mode);
int cedit_set_signal(EditLine *el, int handle_signals);
int cedit_set_client_data(EditLine *el, void *data);
void *cedit_get_client_data(EditLine *el);
int cedit_add_function(EditLine *el, const char *name, const char *help, cedit_command_fn fn);
int cedit_bind(EditLine *el, const char *key, const char *function_name);
int cedit_use_history(EditLine *el, History *history);
int cedit_insert(EditLine *el, const char *text);
/// The line being edited: its text up to the cursor, copied into `buffer`.
int cedit_line_before_cursor(EditLine *el, char *buffer, int size);

History *cedit_history_init(void);
int cedit_history_set_size(History *h, int size);
int cedit_history_set_unique(History *h, int unique);
int cedit_history_enter(History *h, const char *line);

/// Installs a SIGINT handler that only writes one byte to `write_fd` (async-signal-safe), so the
/// application can react to Ctrl-C outside the handler, e.g. by cancelling the running command.
int cedit_forward_sigint(int write_fd);

/// SIGQUIT ends the process the default way (killed by the signal, no core file), never with the
/// Swift runtime's crash report.
int cedit_quit_quietly_on_sigquit(void);

/// Ends the line being edited as abandoned: the cursor goes to its end, `^C` is shown, and the
/// next prompt starts on a new line.
void cedit_abandon_line(EditLine *el);

#endif
