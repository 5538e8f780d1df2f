/* http/token.h - what may go into a header line tide writes, for the
 * server's responses and the client's requests alike: a name must be an
 * RFC 9110 token, a value Node's checkInvalidHeaderChar set (tab, visible
 * ASCII, obs-text), so no caller's string can end a line and start a
 * header, or a message, of its own. */
#ifndef TIDE_HTTP_TOKEN_H
#define TIDE_HTTP_TOKEN_H

/* 1 when s is a non-empty token. */
int tide__http_is_token(const char *s);
/* 1 when s may be a header value. */
int tide__http_is_field_value(const char *s);

#endif /* TIDE_HTTP_TOKEN_H */
