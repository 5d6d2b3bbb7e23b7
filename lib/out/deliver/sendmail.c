/*
 * sendmail.c - the local `sendmail -t -i -f FROM` interface.
 *
 * No shell: posix_spawn() of the configured absolute path with a fixed
 * argv. The message goes to its stdin through a socketpair, so that a
 * child that exits early gives us EPIPE from send(MSG_NOSIGNAL) instead of
 * a SIGPIPE (a library must not touch the process's signal handling). Its
 * stdout and stderr are kept (bounded) for the result. The child gets its
 * own process group, and the whole group is killed when the deadline
 * passes: a sendmail stuck on a lock must not hang the queue.
 *
 * Line ends are the local convention here: CRLF is written as LF.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "deliver_int.h"

extern char **environ;

#define OUT_KEEP	400	/* bytes of the child's output kept */

static long long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* sysexits.h codes after which a retry can help. */
static bool
exit_temporary(int st)
{
	switch (st) {
	case 71:	/* EX_OSERR */
	case 73:	/* EX_CANTCREAT */
	case 74:	/* EX_IOERR */
	case 75:	/* EX_TEMPFAIL */
		return true;
	default:
		return false;
	}
}

struct child_out {
	char	buf[OUT_KEEP + 1];
	size_t	len;
};

static void
drain(int fd, struct child_out *o, bool *eof)
{
	char tmp[4096];
	ssize_t k;

	while ((k = read(fd, tmp, sizeof(tmp))) > 0) {
		size_t take = (size_t)k;

		if (take > OUT_KEEP - o->len)
			take = OUT_KEEP - o->len;
		memcpy(o->buf + o->len, tmp, take);
		o->len += take;
	}
	if (k == 0 || (k < 0 && errno != EAGAIN && errno != EINTR))
		*eof = true;
}

/* Next chunk of the message with CRLF as LF, into tmp; returns its length. */
static size_t
next_chunk(const char *msg, size_t len, size_t *pos, char *tmp, size_t cap)
{
	size_t k = 0;

	while (*pos < len && k < cap) {
		if (msg[*pos] == '\r' && *pos + 1 < len && msg[*pos + 1] == '\n') {
			(*pos)++;
			continue;
		}
		tmp[k++] = msg[(*pos)++];
	}
	return k;
}

int
deliver_sendmail(const struct ad_relay *relay, const char *from,
    const char *msg, size_t len, struct ad_send_result *res,
    struct ad_diag *diag)
{
	const char *path = relay->sendmail[0] ? relay->sendmail :
	    "/usr/sbin/sendmail";
	char *argv[] = { (char *)path, "-t", "-i", "-f", (char *)from, NULL };
	long long deadline = now_ms() + (relay->timeout_ms > 0 ?
	    relay->timeout_ms : AD_DELIVER_TIMEOUT_MS);
	int sv[2] = { -1, -1 }, op[2] = { -1, -1 }, st = 0, e;
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t at;
	sigset_t none, dfl;
	static struct child_out ozero;
	struct child_out out = ozero;
	char chunk[8192];
	size_t pos = 0, clen = 0, coff = 0;
	bool out_eof = false, wrote_all = false, reaped = false, killed = false;
	pid_t pid = -1;

	res->permanent = false;
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) == -1 ||
	    pipe2(op, O_CLOEXEC) == -1) {
		e = errno;
		deliver_detail(res, "sendmail: %s", strerror(e));
		goto fail;
	}
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, sv[1], 0);
	posix_spawn_file_actions_adddup2(&fa, op[1], 1);
	posix_spawn_file_actions_adddup2(&fa, op[1], 2);
#if defined(__GLIBC__) && (__GLIBC__ > 2 || __GLIBC_MINOR__ >= 34)
	/* the store's database and any socket stay with us */
	posix_spawn_file_actions_addclosefrom_np(&fa, 3);
#endif
	posix_spawnattr_init(&at);
	sigemptyset(&none);
	sigemptyset(&dfl);
	sigaddset(&dfl, SIGPIPE);
	sigaddset(&dfl, SIGCHLD);
	posix_spawnattr_setsigmask(&at, &none);
	posix_spawnattr_setsigdefault(&at, &dfl);
	posix_spawnattr_setpgroup(&at, 0);
	posix_spawnattr_setflags(&at, POSIX_SPAWN_SETPGROUP |
	    POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
	e = posix_spawn(&pid, path, &fa, &at, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&at);
	close(sv[1]);
	close(op[1]);
	sv[1] = op[1] = -1;
	if (e != 0) {
		pid = -1;
		res->permanent = true;
		deliver_detail(res, "cannot run %s: %s", path, strerror(e));
		goto fail;
	}
	fcntl(sv[0], F_SETFL, fcntl(sv[0], F_GETFL) | O_NONBLOCK);
	fcntl(op[0], F_SETFL, fcntl(op[0], F_GETFL) | O_NONBLOCK);

	for (;;) {
		struct pollfd pf[2];
		int np = 0, left;
		long long now = now_ms();

		if (!reaped) {
			pid_t w = waitpid(pid, &st, WNOHANG);

			if (w == pid)
				reaped = true;
		}
		if (reaped && (out_eof || wrote_all)) {
			drain(op[0], &out, &out_eof);
			break;
		}
		if (now >= deadline) {
			kill(-pid, SIGKILL);
			kill(pid, SIGKILL);
			killed = true;
			break;
		}
		if (!wrote_all && sv[0] != -1) {
			pf[np].fd = sv[0];
			pf[np++].events = POLLOUT;
		}
		if (!out_eof) {
			pf[np].fd = op[0];
			pf[np++].events = POLLIN;
		}
		/* short naps: a child may exit while a grandchild holds
		 * its output open, and waitpid() has no poll() form */
		left = (int)(deadline - now < 50 ? deadline - now : 50);
		if (poll(pf, (nfds_t)np, left) < 0 && errno != EINTR)
			break;
		if (!out_eof)
			drain(op[0], &out, &out_eof);
		while (!wrote_all) {
			ssize_t k;

			if (coff == clen) {
				clen = next_chunk(msg, len, &pos, chunk,
				    sizeof(chunk));
				coff = 0;
				if (clen == 0) {
					wrote_all = true;
					close(sv[0]);
					sv[0] = -1;
					break;
				}
			}
			k = send(sv[0], chunk + coff, clen - coff, MSG_NOSIGNAL);
			if (k > 0) {
				coff += (size_t)k;
				continue;
			}
			if (k < 0 && (errno == EAGAIN || errno == EINTR))
				break;
			/* EPIPE: the child stopped reading */
			wrote_all = true;
			pos = len + 1;
			close(sv[0]);
			sv[0] = -1;
			break;
		}
	}
	if (!reaped)
		while (waitpid(pid, &st, 0) == -1 && errno == EINTR)
			;
	pid = -1;
	out.buf[out.len] = '\0';
	if (killed) {
		deliver_detail(res, "sendmail timed out after %d ms (killed)",
		    relay->timeout_ms > 0 ? relay->timeout_ms :
		    AD_DELIVER_TIMEOUT_MS);
		goto fail;
	}
	if (WIFSIGNALED(st)) {
		deliver_detail(res, "sendmail killed by signal %d: ",
		    WTERMSIG(st));
		deliver_detail_add(res, out.buf, out.len, false);
		goto fail;
	}
	if (WIFEXITED(st) && WEXITSTATUS(st) == 0 && pos == len) {
		res->accepted = true;
		deliver_detail(res, "sendmail exited 0");
		if (out.len > 0) {
			deliver_detail_add(res, ": ", 2, false);
			deliver_detail_add(res, out.buf, out.len, false);
		}
		if (sv[0] != -1)
			close(sv[0]);
		close(op[0]);
		return AD_OK;
	}
	if (WIFEXITED(st) && WEXITSTATUS(st) == 0) {
		deliver_detail(res, "sendmail exited 0 without reading the "
		    "whole message");
		goto fail;
	}
	res->permanent = !exit_temporary(WEXITSTATUS(st));
	deliver_detail(res, "sendmail exited %d: ", WEXITSTATUS(st));
	deliver_detail_add(res, out.buf, out.len, false);
fail:
	for (int i = 0; i < 2; i++) {
		if (sv[i] != -1)
			close(sv[i]);
		if (op[i] != -1)
			close(op[i]);
	}
	return ad_diag_set(diag, AD_ERR_IO, path, 0, "%s", res->detail);
}
