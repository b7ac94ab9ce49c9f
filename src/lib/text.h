/* text.h - strings from outside (servers, task files, evaluations) made
 * safe to print on a terminal */
#ifndef HPO_TEXT_H
#define HPO_TEXT_H

/* Replace, in place, every control character that a terminal would act on
 * with '?': ASCII C0 and DEL, and the C1 controls U+0080 to U+009F in
 * their UTF-8 form (two bytes, two '?'); with keep_lines, newlines and tabs
 * stay (messages of several lines).  Other bytes, UTF-8 included, stay.
 * The length does not change. */
void hpo_text_sanitize(char *s, int keep_lines);

/* 1 when the byte at s starts a sequence hpo_text_sanitize replaces, with
 * *len its length (1 or 2). */
int hpo_text_is_control(const char *s, int *len);

/* Replace, in place, every byte that is not part of well-formed UTF-8
 * with '?' (a cut character, a Latin-1 text): what JSON can hold.  The
 * length does not change. */
void hpo_text_utf8(char *s);

#endif
