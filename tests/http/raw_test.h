/*
 * raw_test.h -- a client on raw sockets for the tests of the server's edges (tests/http/test_server.c,
 * test_framing.c), where the polite client of http_test.h cannot go: connections from a chosen loopback
 * address, bytes sent as they are, answers read until the server closes, and the security headers every answer
 * carries.  Header-only; include after http_test.h.
 */
#ifndef CB_RAW_TEST_H
#define CB_RAW_TEST_H

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <time.h>
#include <unistd.h>

static inline int64_t now_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/* A connection to the server from `from` (a loopback address); -1 if connect fails. */
static inline int dial(const char *from)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(fd >= 0);
	struct sockaddr_in me = {.sin_family = AF_INET}, to = {.sin_family = AF_INET, .sin_port = htons(port)};
	assert_int_equal(inet_pton(AF_INET, from, &me.sin_addr), 1);
	assert_int_equal(ntohl(me.sin_addr.s_addr) >> 24, 127); /* loopback only */
	to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)&me, sizeof me), 0);
	if (connect(fd, (struct sockaddr *)&to, sizeof to)) {
		close(fd);
		return -1;
	}
	return fd;
}

static inline void send_text(int fd, const char *text)
{
	(void)send(fd, text, strlen(text), MSG_NOSIGNAL | MSG_DONTWAIT);
}

/* Reads until the server closes the connection or `ms` pass; *closed says which.  malloc'd text. */
static inline char *read_all(int fd, int ms, bool *closed)
{
	size_t cap = 1 << 16, len = 0;
	char *buf = malloc(cap);
	assert_non_null(buf);
	int64_t end = now_ms() + ms;
	*closed = false;
	for (;;) {
		int left = (int)(end - now_ms());
		struct pollfd p = {.fd = fd, .events = POLLIN};
		if (left <= 0 || poll(&p, 1, left) <= 0)
			break;
		ssize_t n = recv(fd, buf + len, cap - len - 1, 0);
		if (n <= 0) {
			*closed = true;
			break;
		}
		len += (size_t)n;
		if (cap - len < 2)
			assert_non_null(buf = realloc(buf, cap *= 2));
	}
	buf[len] = 0;
	return buf;
}

/* Reads one whole answer with a Content-Length (keep-alive); its status, or 0 when the connection ended
 * or nothing complete came within ms. */
static inline int read_answer(int fd, int ms)
{
	char buf[1 << 17];
	size_t len = 0;
	int64_t end = now_ms() + ms;
	for (;;) {
		buf[len] = 0;
		char *sep = strstr(buf, "\r\n\r\n");
		const char *cl = sep ? strstr(buf, "\r\nContent-Length:") : NULL;
		int status = 0;
		if (sep && cl && cl < sep && sscanf(buf, "HTTP/1.1 %d", &status) == 1 &&
		    len >= (size_t)(sep + 4 - buf) + strtoul(cl + 17, NULL, 10))
			return status;
		int left = (int)(end - now_ms());
		struct pollfd p = {.fd = fd, .events = POLLIN};
		if (left <= 0 || poll(&p, 1, left) <= 0 || len + 1 >= sizeof buf)
			return 0;
		ssize_t n = recv(fd, buf + len, sizeof buf - len - 1, 0);
		if (n <= 0)
			return 0;
		len += (size_t)n;
	}
}

/* Is fd still open at the server's end (nothing to read, no end seen)? */
static inline bool still_open(int fd)
{
	char c;
	ssize_t n = recv(fd, &c, 1, MSG_DONTWAIT);
	return n > 0 || (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK));
}

/* A request with the given raw bytes from 127.0.0.3; what came back before the server closed (or 2 s). */
static inline char *raw(const char *bytes, bool *closed)
{
	int fd = dial("127.0.0.3");
	assert_true(fd >= 0);
	send_text(fd, bytes);
	char *text = read_all(fd, 2000, closed);
	close(fd);
	return text;
}

static inline int count(const char *hay, const char *needle)
{
	int n = 0;
	for (const char *p = strstr(hay, needle); p; p = strstr(p + 1, needle))
		n++;
	return n;
}

static inline void assert_security_headers(const char *text)
{
	assert_non_null(strstr(text, "\r\nContent-Security-Policy: default-src 'self'\r\n"));
	assert_non_null(strstr(text, "\r\nX-Content-Type-Options: nosniff\r\n"));
	assert_non_null(strstr(text, "\r\nReferrer-Policy: no-referrer\r\n"));
	assert_non_null(strstr(text, "\r\nX-Frame-Options: DENY\r\n"));
}

#endif
