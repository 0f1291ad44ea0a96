// The C library's display width of one character, for table layout. glibc declares wcwidth only
// under _XOPEN_SOURCE, which Swift's Glibc module does not see, hence this one-function shim.
#ifndef CWIDTH_H
#define CWIDTH_H

/// Terminal columns the Unicode scalar `scalar` takes (0, 1 or 2), or -1 when it is not printable.
/// Answers by the C locale's LC_CTYPE, which must be a UTF-8 one.
int cwidth_columns(unsigned int scalar);

#endif
