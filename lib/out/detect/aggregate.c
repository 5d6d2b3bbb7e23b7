/*
 * aggregate.c - the working table: (source, category) -> open incident.
 *
 * Open addressing with linear probing over a power-of-two array; the key
 * is hashed with a 64-bit mix of the 16 address bytes and the category.
 * An event outside the window of its key's incident closes that incident
 * (it moves to the `closed` list, written at the next sweep or checkpoint)
 * and opens a new one in the same slot, so probe chains never break.
 * A sweep removes expired entries in place (backward-shift deletion); a
 * checkpoint that evicts rebuilds the table from the survivors.
 *
 * Entries are compact (struct entry, ~190 bytes: ports and the first user
 * names inline, targets allocated when an incident has them, sample lines
 * as one node each) because the table must hold every attacker active
 * within a window in a few MiB; the full struct ad_incident (~650 bytes) is built on the
 * stack only when an entry is stored, packed or merged.
 *
 * Why open incidents are packed rather than written at each checkpoint:
 * an attacker active across checkpoints would otherwise cost a row update
 * (its whole row, sample lines included) per checkpoint, and a new key
 * would need a look-up for a row to merge with. Packed, an incident is
 * written once, when it closes, and needs a look-up only when its event
 * is within a window of a row the table let go (the horizon).
 */
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "abusedesk/ad_ctx.h"
#include "abusedesk/ad_detect.h"

/* Held incidents go to the sink in chunks of about this size. */
#define HELD_CHUNK	(128u << 10)

/* One sample line, its text right behind it. */
struct node {
	struct node		*next;
	uint64_t		 line;
	struct ad_instant	 time;
	const char		*file;		/* interned */
	const char		*format;	/* interned */
	uint32_t		 len;
	char			 text[];	/* len bytes and a NUL */
};

enum {
	E_DIRTY = 0x01, E_MERGED = 0x02, E_HELD = 0x04, E_COUNTED = 0x08,
	E_PORTS_MORE = 0x10, E_TARGETS_MORE = 0x20, E_USERS_MORE = 0x40,
	E_NODE_IN = 0x80	/* the first sample node lies behind the entry */
};

/*
 * Most incidents get one event, one target and one sample line and close
 * below their threshold (a firewall's stray packets): an entry carries
 * its first target and its first sample node in its own allocation, so
 * such an incident costs one malloc, not three.
 */
struct entry {
	struct entry		*older, *newer;	/* the table's activity list */
	int64_t			 id;
	struct ad_instant	 first, last;
	uint64_t		 events, proven, spoofable;
	struct ad_addr		*targets;	/* &target_in, or allocated */
	char			*users;		/* n_users of (length byte, bytes):
						   users_in, or allocated */
	struct node		*samples;	/* pending, oldest first */
	uint32_t		 services;
	uint32_t		 cost;		/* bytes held (entry_cost) */
	uint16_t		 ports[AD_INC_PORTS_MAX];
	uint16_t		 users_len, users_cap;	/* bytes */
	struct ad_addr		 src;
	struct ad_addr		 target_in;
	uint8_t			 category;
	uint8_t			 state;
	uint8_t			 flags;		/* E_* */
	uint8_t			 n_ports;
	uint8_t			 n_targets, cap_targets;
	uint8_t			 n_users;
	uint8_t			 samples_stored, n_samples;
	char			 users_in[32];
};

struct ad_agg {
	const struct ad_detect_config	*cfg;
	struct entry			**slots;
	uint32_t			 *hashes;	/* of each slot's key (key_hash) */
	size_t				  cap;		/* power of two */
	size_t				  count;
	struct entry			**closed;
	size_t				  n_closed, cap_closed;
	size_t				  bytes;	/* memory held */
	size_t				  budget;
	int64_t				  newest;	/* latest event time seen */
	int64_t				  horizon;	/* see ad_agg_set_horizon */
	/* Open entries, least recently active first (see lru_touch). */
	struct entry			 *oldest, *newest_e;
	/* File and format names of sample lines, owned here. */
	char				**names;
	size_t				  n_names, cap_names;
	const char			 *last_in[2];	/* caller's pointers ... */
	const char			 *last_out[2];	/* ... and their copies */
};

/* The probe loop's test: category, then the 16 bytes as two words. */
static bool
same_key(const struct entry *e, const struct ad_addr *a, enum ad_category c)
{
	uint64_t x[2], y[2];

	if (e->category != c || e->src.af != a->af)
		return false;
	memcpy(x, e->src.b, 16);
	memcpy(y, a->b, 16);
	return x[0] == y[0] && x[1] == y[1];
}

static uint64_t
key_hash(const struct ad_addr *a, enum ad_category c)
{
	uint64_t h, w[2];

	memcpy(w, a->b, 16);
	h = w[0] * 0x9e3779b97f4a7c15ULL ^ w[1] ^ ((uint64_t)c << 56);
	h ^= h >> 31;
	h *= 0xbf58476d1ce4e5b9ULL;
	h ^= h >> 29;
	return h;
}

struct ad_agg *
ad_agg_new(const struct ad_detect_config *cfg, size_t budget)
{
	struct ad_agg *a;

	if ((a = ad_calloc(1, sizeof(*a))) == NULL)
		return NULL;
	a->cfg = cfg;
	a->budget = budget;
	a->cap = 1024;
	if ((a->slots = ad_calloc(a->cap, sizeof(*a->slots))) == NULL ||
	    (a->hashes = ad_calloc(a->cap, sizeof(*a->hashes))) == NULL) {
		ad_free(a->slots);
		ad_free(a);
		return NULL;
	}
	a->bytes = a->cap * (sizeof(*a->slots) + sizeof(*a->hashes));
	return a;
}

/*
 * The agg's copy of a name (a file path, a format). Callers pass the same
 * pointer for many lines, so the last two answers are remembered; the list
 * itself holds the few files and formats of a scan.
 */
static const char *
intern(struct ad_agg *a, const char *s, int which)
{
	size_t i;
	char *c;

	if (s == NULL)
		s = "";
	if (a->last_in[which] == s)
		return a->last_out[which];
	for (i = 0; i < a->n_names; i++)
		if (strcmp(a->names[i], s) == 0)
			goto found;
	if (a->n_names == a->cap_names) {
		size_t n = a->cap_names ? a->cap_names * 2 : 8;
		char **nn;

		if ((nn = ad_reallocarray(a->names, n, sizeof(*nn))) == NULL)
			return NULL;
		a->names = nn;
		a->cap_names = n;
	}
	if ((c = ad_strndup(s, strlen(s))) == NULL)
		return NULL;
	a->names[i = a->n_names++] = c;
found:
	a->last_in[which] = s;
	a->last_out[which] = a->names[i];
	return a->names[i];
}

/*
 * The activity list: an entry moves to its end when an event makes it
 * newer, so a sweep finds the expired ones at its start without walking
 * the table. Lines slightly out of order leave it nearly sorted, which is
 * all a sweep needs (a late one is let go at a later sweep).
 */
static void
lru_unlink(struct ad_agg *a, struct entry *e)
{
	if (e->older != NULL)
		e->older->newer = e->newer;
	else if (a->oldest == e)
		a->oldest = e->newer;
	if (e->newer != NULL)
		e->newer->older = e->older;
	else if (a->newest_e == e)
		a->newest_e = e->older;
	e->older = e->newer = NULL;
}

static void
lru_append(struct ad_agg *a, struct entry *e)
{
	e->newer = NULL;
	e->older = a->newest_e;
	if (a->newest_e != NULL)
		a->newest_e->newer = e;
	else
		a->oldest = e;
	a->newest_e = e;
}

static void
lru_touch(struct ad_agg *a, struct entry *e)
{
	if (a->newest_e == e)
		return;
	lru_unlink(a, e);
	lru_append(a, e);
}

/* What e holds: kept up to date by charge() and samples_free(). */
static size_t
entry_cost(const struct entry *e)
{
	return e->cost;
}

static void
charge(struct ad_agg *a, struct entry *e, size_t n)
{
	a->bytes += n;
	e->cost += (uint32_t)n;
}

/* The node allocated with e (E_NODE_IN), or NULL. */
static struct node *
node_in(struct entry *e)
{
	return (e->flags & E_NODE_IN) ? (struct node *)(void *)(e + 1) : NULL;
}

/* Frees the pending sample lines; the caller settles a->bytes. */
static void
samples_free(struct entry *e)
{
	struct node *n, *next, *in = node_in(e);

	for (n = e->samples; n != NULL; n = next) {
		next = n->next;
		if (n == in)
			continue;	/* freed with e, and counted until then */
		e->cost -= (uint32_t)(sizeof(*n) + n->len + 1);
		ad_free(n);
	}
	e->samples = NULL;
	e->n_samples = 0;
}

static void
entry_free(struct entry *e)
{
	if (e == NULL)
		return;
	samples_free(e);
	if (e->targets != &e->target_in)
		ad_free(e->targets);
	if (e->users != e->users_in)
		ad_free(e->users);
	ad_free(e);
}

void
ad_agg_free(struct ad_agg *a)
{
	size_t i;

	if (a == NULL)
		return;
	for (i = 0; i < a->cap; i++)
		entry_free(a->slots[i]);
	for (i = 0; i < a->n_closed; i++)
		entry_free(a->closed[i]);
	for (i = 0; i < a->n_names; i++)
		ad_free(a->names[i]);
	ad_free(a->names);
	ad_free(a->slots);
	ad_free(a->hashes);
	ad_free(a->closed);
	ad_free(a);
}

bool
ad_agg_full(const struct ad_agg *a)
{
	return a->bytes >= a->budget;
}

size_t
ad_agg_count(const struct ad_agg *a)
{
	return a->count + a->n_closed;
}

int64_t
ad_agg_newest(const struct ad_agg *a)
{
	return a->newest;
}

void
ad_agg_set_horizon(struct ad_agg *a, int64_t utc)
{
	a->horizon = utc;
}

int64_t
ad_agg_horizon(const struct ad_agg *a)
{
	return a->horizon;
}

/*
 * The table keeps each slot's hash beside it: a probe, a removal or a
 * growth then reads entries only where the hash matches, instead of a
 * cache miss per entry passed. The home slot is hash & (cap - 1).
 */
static uint32_t
slot_hash(const struct ad_addr *a, enum ad_category c)
{
	return (uint32_t)key_hash(a, c);
}

static void
place(struct entry **slots, uint32_t *hashes, size_t cap, struct entry *e,
    uint32_t h)
{
	size_t j = h & (cap - 1);

	while (slots[j] != NULL)
		j = (j + 1) & (cap - 1);
	slots[j] = e;
	hashes[j] = h;
}

/*
 * Empties slot i of a linear-probing table: the entries after it in its
 * cluster move back when their home slot allows, so no probe chain breaks.
 */
static void
remove_slot(struct ad_agg *a, size_t i)
{
	size_t mask = a->cap - 1, j = i, home;

	for (;;) {
		j = (j + 1) & mask;
		if (a->slots[j] == NULL)
			break;
		home = a->hashes[j] & mask;
		/* Stays when its home lies cyclically in (i, j]. */
		if (i <= j ? (i < home && home <= j) : (i < home || home <= j))
			continue;
		a->slots[i] = a->slots[j];
		a->hashes[i] = a->hashes[j];
		i = j;
	}
	a->slots[i] = NULL;
}

static int
grow(struct ad_agg *a)
{
	struct entry **ns;
	uint32_t *nh;
	size_t ncap = a->cap * 2, i;

	if ((ns = ad_calloc(ncap, sizeof(*ns))) == NULL)
		return AD_ERR_NOMEM;
	if ((nh = ad_calloc(ncap, sizeof(*nh))) == NULL) {
		ad_free(ns);
		return AD_ERR_NOMEM;
	}
	for (i = 0; i < a->cap; i++)
		if (a->slots[i] != NULL)
			place(ns, nh, ncap, a->slots[i], a->hashes[i]);
	ad_free(a->slots);
	ad_free(a->hashes);
	a->bytes += (ncap - a->cap) * (sizeof(*ns) + sizeof(*nh));
	a->slots = ns;
	a->hashes = nh;
	a->cap = ncap;
	return AD_OK;
}

static int
push_closed(struct ad_agg *a, struct entry *e)
{
	if (a->n_closed == a->cap_closed) {
		size_t n = a->cap_closed ? a->cap_closed * 2 : 64;
		struct entry **c;

		if ((c = ad_reallocarray(a->closed, n, sizeof(*c))) == NULL)
			return AD_ERR_NOMEM;
		a->bytes += (n - a->cap_closed) * sizeof(*c);
		a->closed = c;
		a->cap_closed = n;
	}
	a->closed[a->n_closed++] = e;
	return AD_OK;
}

/* --- the capped sets ------------------------------------------------- */

/* Ports live in the entry: nothing to allocate. */
static void
add_port(struct entry *e, uint16_t port)
{
	uint8_t i;

	/* Full and marked: nothing a port could change (the same below). */
	if (port == 0 || (e->n_ports == AD_INC_PORTS_MAX &&
	    (e->flags & E_PORTS_MORE)))
		return;
	for (i = 0; i < e->n_ports; i++)
		if (e->ports[i] == port)
			return;
	if (e->n_ports == AD_INC_PORTS_MAX)
		e->flags |= E_PORTS_MORE;
	else
		e->ports[e->n_ports++] = port;
}

static int
add_target(struct ad_agg *a, struct entry *e, const struct ad_addr *t)
{
	struct ad_addr *nt;
	uint8_t i;

	if (t->af == 0 || (e->n_targets == AD_INC_TARGETS_MAX &&
	    (e->flags & E_TARGETS_MORE)))
		return AD_OK;
	for (i = 0; i < e->n_targets; i++)
		if (ad_addr_equal(&e->targets[i], t))
			return AD_OK;
	if (e->n_targets == AD_INC_TARGETS_MAX) {
		e->flags |= E_TARGETS_MORE;
		return AD_OK;
	}
	if (e->cap_targets == 0) {
		e->targets = &e->target_in;
		e->cap_targets = 1;
	} else if (e->n_targets == e->cap_targets) {
		size_t c = (size_t)e->cap_targets * 2, held = 0;

		if (c > AD_INC_TARGETS_MAX)
			c = AD_INC_TARGETS_MAX;
		if (e->targets == &e->target_in)
			nt = ad_reallocarray(NULL, c, sizeof(*nt));
		else {
			nt = ad_reallocarray(e->targets, c, sizeof(*nt));
			held = e->cap_targets;
		}
		if (nt == NULL)
			return AD_ERR_NOMEM;
		if (held == 0)
			nt[0] = e->target_in;
		charge(a, e, (c - held) * sizeof(*nt));
		e->targets = nt;
		e->cap_targets = (uint8_t)c;
	}
	e->targets[e->n_targets++] = *t;
	return AD_OK;
}

static int
add_user(struct ad_agg *a, struct entry *e, const char *u, size_t n)
{
	size_t off = 0, need;
	uint8_t i;

	if (u == NULL || (e->n_users == AD_INC_USERS_MAX &&
	    (e->flags & E_USERS_MORE)))
		return AD_OK;
	if (n > AD_INC_USER_LEN)
		n = AD_INC_USER_LEN;
	for (i = 0; i < e->n_users; i++) {
		size_t l = (unsigned char)e->users[off];

		if (l == n && memcmp(e->users + off + 1, u, n) == 0)
			return AD_OK;
		off += 1 + l;
	}
	if (e->n_users == AD_INC_USERS_MAX) {
		e->flags |= E_USERS_MORE;
		return AD_OK;
	}
	need = (size_t)e->users_len + 1 + n;
	if (e->users == NULL) {
		e->users = e->users_in;
		e->users_cap = sizeof(e->users_in);
	}
	if (need > e->users_cap) {
		size_t c = (size_t)e->users_cap * 2;
		char *nu;

		while (c < need)
			c *= 2;
		if (e->users == e->users_in) {
			if ((nu = ad_malloc(c)) == NULL)
				return AD_ERR_NOMEM;
			memcpy(nu, e->users_in, e->users_len);
			charge(a, e, c);
		} else {
			if ((nu = ad_reallocarray(e->users, c, 1)) == NULL)
				return AD_ERR_NOMEM;
			charge(a, e, c - e->users_cap);
		}
		e->users = nu;
		e->users_cap = (uint16_t)c;
	}
	e->users[e->users_len] = (char)n;
	memcpy(e->users + e->users_len + 1, u, n);
	e->users_len = (uint16_t)need;
	e->n_users++;
	return AD_OK;
}

static bool
entry_below(const struct ad_agg *a, const struct entry *e)
{
	return ad_below_threshold(a->cfg, (enum ad_category)e->category,
	    e->events, e->n_ports, e->flags & E_PORTS_MORE);
}

/*
 * Does the entry take another pending sample line? Up to AD_SAMPLE_MEM,
 * but only one while it is below its threshold: most such incidents close
 * there and are never stored, and their lines were most of the table's
 * memory. One that crosses its threshold keeps its first line and the
 * ones after the crossing.
 */
static bool
wants_sample(const struct ad_agg *a, const struct entry *e)
{
	if ((unsigned)e->samples_stored + e->n_samples >= AD_SAMPLE_MAX ||
	    e->n_samples >= AD_SAMPLE_MEM)
		return false;
	return e->n_samples == 0 || !entry_below(a, e);
}

/* Appends a sample line: into space (e's own node, room for it), or new. */
static int
add_node(struct ad_agg *a, struct entry *e, struct node *space,
    const char *file, uint64_t lineno, const struct ad_instant *t,
    const char *format, const char *text, size_t len)
{
	struct node *n, **tail;

	if (len > AD_SAMPLE_LINE_MAX)
		len = AD_SAMPLE_LINE_MAX;
	if ((n = space) == NULL &&
	    (n = ad_malloc(sizeof(*n) + len + 1)) == NULL)
		return AD_ERR_NOMEM;
	if ((n->file = intern(a, file, 0)) == NULL ||
	    (n->format = intern(a, format, 1)) == NULL) {
		if (n != space)
			ad_free(n);
		return AD_ERR_NOMEM;
	}
	n->next = NULL;
	n->line = lineno;
	n->time = *t;
	n->len = (uint32_t)len;
	memcpy(n->text, text, len);
	n->text[len] = '\0';
	for (tail = &e->samples; *tail != NULL; tail = &(*tail)->next)
		;
	*tail = n;
	e->n_samples++;
	if (n != space)
		charge(a, e, sizeof(*n) + len + 1);
	return AD_OK;
}

/* --- entries and the full incident ----------------------------------- */

/*
 * The whole incident of e, on the caller's stack: its sample lines point
 * into e's nodes (valid while e is unchanged), through samples[].
 */
static void
to_incident(const struct entry *e, struct ad_incident *inc,
    struct ad_sample samples[AD_SAMPLE_MAX])
{
	const struct node *n;
	size_t off = 0, l;
	uint8_t i;

	memset(inc, 0, sizeof(*inc));
	inc->id = e->id;
	inc->src = e->src;
	inc->category = (enum ad_category)e->category;
	inc->first = e->first;
	inc->last = e->last;
	inc->events = e->events;
	inc->proven = e->proven;
	inc->spoofable = e->spoofable;
	inc->services = e->services;
	inc->n_ports = e->n_ports;
	if (e->n_ports)
		memcpy(inc->ports, e->ports, e->n_ports * sizeof(*e->ports));
	inc->ports_more = e->flags & E_PORTS_MORE;
	inc->n_targets = e->n_targets;
	if (e->n_targets)
		memcpy(inc->targets, e->targets,
		    e->n_targets * sizeof(*e->targets));
	inc->targets_more = e->flags & E_TARGETS_MORE;
	for (i = 0; i < e->n_users; i++) {
		l = (unsigned char)e->users[off];
		memcpy(inc->users[i], e->users + off + 1, l);
		inc->users[i][l] = '\0';
		off += 1 + l;
	}
	inc->n_users = e->n_users;
	inc->users_more = e->flags & E_USERS_MORE;
	inc->state = (enum ad_inc_state)e->state;
	inc->samples_stored = e->samples_stored;
	inc->counted = e->flags & E_COUNTED;
	inc->dirty = e->flags & E_DIRTY;
	inc->merged = e->flags & E_MERGED;
	inc->held = e->flags & E_HELD;
	for (i = 0, n = e->samples; n != NULL && i < AD_SAMPLE_MAX;
	    n = n->next, i++) {
		struct ad_sample *s = &samples[i];

		s->file_owned = false;
		s->file = n->file;
		s->line = n->line;
		s->time = n->time;
		s->text = (char *)(uintptr_t)n->text;	/* read only */
		s->len = n->len;
		l = strnlen(n->format, sizeof(s->format) - 1);
		memcpy(s->format, n->format, l);
		s->format[l] = '\0';
	}
	inc->samples = i ? samples : NULL;
	inc->n_samples = inc->cap_samples = i;
}

static uint8_t
flag(bool on, uint8_t bit)
{
	return on ? bit : 0;
}

/*
 * Copies inc's state (not its sample lines) into e, whose sets are
 * rebuilt: a merge with a stored row can change all of them.
 */
static int
from_incident(struct ad_agg *a, struct entry *e, const struct ad_incident *inc)
{
	uint8_t i;
	int r;

	e->id = inc->id;
	e->src = inc->src;
	e->category = (uint8_t)inc->category;
	e->first = inc->first;
	e->last = inc->last;
	e->events = inc->events;
	e->proven = inc->proven;
	e->spoofable = inc->spoofable;
	e->services = inc->services;
	e->state = (uint8_t)inc->state;
	e->samples_stored = inc->samples_stored;
	e->flags = (e->flags & E_NODE_IN) |
	    flag(inc->dirty, E_DIRTY) | flag(inc->merged, E_MERGED) |
	    flag(inc->held, E_HELD) | flag(inc->counted, E_COUNTED) |
	    flag(inc->ports_more, E_PORTS_MORE) |
	    flag(inc->targets_more, E_TARGETS_MORE) |
	    flag(inc->users_more, E_USERS_MORE);
	e->n_ports = e->n_targets = e->n_users = 0;
	e->users_len = 0;
	for (i = 0; i < inc->n_ports && i < AD_INC_PORTS_MAX; i++)
		add_port(e, inc->ports[i]);
	for (i = 0; i < inc->n_targets && i < AD_INC_TARGETS_MAX; i++)
		if ((r = add_target(a, e, &inc->targets[i])) != AD_OK)
			return r;
	for (i = 0; i < inc->n_users && i < AD_INC_USERS_MAX; i++)
		if ((r = add_user(a, e, inc->users[i],
		    strnlen(inc->users[i], AD_INC_USER_LEN))) != AD_OK)
			return r;
	return AD_OK;
}

uint32_t
ad_agg_hash(const struct ad_event *ev)
{
	return slot_hash(&ev->src, ev->category);
}

void
ad_agg_prefetch(const struct ad_agg *a, uint32_t hash, int stage)
{
	size_t i = hash & (a->cap - 1);
	const char *e;
	size_t off;

	if (stage == 0) {
		__builtin_prefetch(&a->slots[i]);
		__builtin_prefetch(&a->hashes[i]);
	} else if ((e = (const char *)a->slots[i]) == NULL)
		return;
	else if (stage == 1)
		/* An event touches every cache line of its entry. */
		for (off = 0; off < sizeof(struct entry); off += 64)
			__builtin_prefetch(e + off);
	else {
		/* and its neighbours on the activity list, moving it to the end */
		const struct entry *en = (const struct entry *)(const void *)e;

		if (en->older != NULL)
			__builtin_prefetch(&en->older->newer, 1);
		if (en->newer != NULL)
			__builtin_prefetch(&en->newer->older, 1);
	}
}

int
ad_agg_add(struct ad_agg *a, const struct ad_event *ev,
    const struct ad_instant *fallback, const char *file, uint64_t lineno,
    const char *line, size_t len)
{
	return ad_agg_add_hashed(a, ev, ad_agg_hash(ev), fallback, file, lineno,
	    line, len);
}

int
ad_agg_add_hashed(struct ad_agg *a, const struct ad_event *ev, uint32_t h,
    const struct ad_instant *fallback, const char *file, uint64_t lineno,
    const char *line, size_t len)
{
	const struct ad_instant *t = ev->time.valid ? &ev->time : fallback;
	struct entry *e;
	struct node *space = NULL;
	size_t i;
	int r;

	if (a->count * 2 >= a->cap && (r = grow(a)) != AD_OK)
		return r;
	i = h & (a->cap - 1);
	while ((e = a->slots[i]) != NULL) {
		if (a->hashes[i] == h && same_key(e, &ev->src, ev->category))
			break;
		i = (i + 1) & (a->cap - 1);
	}
	if (e == NULL || t->utc > e->last.utc + a->cfg->window ||
	    t->utc < e->first.utc - a->cfg->window) {
		struct entry *fresh;
		size_t size = sizeof(*fresh) + sizeof(struct node) +
		    (len < AD_SAMPLE_LINE_MAX ? len : AD_SAMPLE_LINE_MAX) + 1;

		/* Its first event is its first sample line: room for it. */
		if ((fresh = ad_malloc(size)) == NULL)
			return AD_ERR_NOMEM;
		memset(fresh, 0, sizeof(*fresh));	/* add_node fills the rest */
		/* Outside the window: that incident is done, a new one starts. */
		if (e != NULL && (r = push_closed(a, e)) != AD_OK) {
			ad_free(fresh);
			return r;
		}
		if (e != NULL)
			lru_unlink(a, e);
		lru_append(a, fresh);
		if (e == NULL)
			a->count++;
		fresh->src = ev->src;
		fresh->category = (uint8_t)ev->category;
		fresh->first = fresh->last = *t;
		fresh->flags = E_NODE_IN;
		/* Later than any let-go row's window: nothing to merge with. */
		if (t->utc > a->horizon + a->cfg->window)
			fresh->flags |= E_MERGED;
		a->slots[i] = e = fresh;
		a->hashes[i] = h;
		charge(a, e, size);
		space = node_in(e);
	}
	if (t->utc > a->newest)
		a->newest = t->utc;
	if (t->utc < e->first.utc)
		e->first = *t;
	if (t->utc >= e->last.utc) {
		e->last = *t;
		lru_touch(a, e);
	}
	e->flags |= E_DIRTY;
	e->events += ev->count;
	if (ev->evidence == AD_EVIDENCE_PROVEN)
		e->proven += ev->count;
	else
		e->spoofable += ev->count;
	e->services |= ad_service_bit(ev->service);
	add_port(e, ev->dst_port);
	if ((r = add_target(a, e, &ev->dst)) != AD_OK ||
	    (r = add_user(a, e, ev->user, ev->user_len)) != AD_OK)
		return r;
	if (!wants_sample(a, e))
		return AD_OK;
	return add_node(a, e, space, file, lineno, t, ev->format, line, len);
}

int
ad_agg_put(struct ad_agg *a, const struct ad_incident *inc)
{
	struct entry *e;
	uint8_t k;
	int r;

	if (a->count * 2 >= a->cap && (r = grow(a)) != AD_OK)
		return r;
	if ((e = ad_calloc(1, sizeof(*e))) == NULL)
		return AD_ERR_NOMEM;
	charge(a, e, sizeof(*e));
	r = from_incident(a, e, inc);
	for (k = 0; k < inc->n_samples && r == AD_OK; k++) {
		const struct ad_sample *s = &inc->samples[k];

		r = add_node(a, e, NULL, s->file, s->line, &s->time, s->format,
		    s->text, s->len);
	}
	if (r != AD_OK) {
		a->bytes -= entry_cost(e);
		entry_free(e);
		return r;
	}
	place(a->slots, a->hashes, a->cap, e, slot_hash(&e->src, e->category));
	lru_append(a, e);
	a->count++;
	if (e->last.utc > a->newest)
		a->newest = e->last.utc;
	return AD_OK;
}

static int
by_last(const void *x, const void *y)
{
	const struct entry *a = *(struct entry *const *)x;
	const struct entry *b = *(struct entry *const *)y;

	return (a->last.utc > b->last.utc) - (a->last.utc < b->last.utc);
}

static void
forget(struct ad_agg *a, struct entry *e)
{
	a->bytes -= entry_cost(e);
	entry_free(e);
}

/* --- leaving the table ----------------------------------------------- */

/* Merges e with a stored row that may absorb it, once. */
static int
resolve(struct ad_agg *a, struct ad_agg_sink *sk, struct entry *e)
{
	struct ad_sample samples[AD_SAMPLE_MAX];
	struct ad_incident inc;
	int r;

	if (e->flags & E_MERGED)
		return 0;
	if (sk->resolve != NULL) {
		to_incident(e, &inc, samples);
		if ((r = sk->resolve(sk->arg, &inc)) != 0 ||
		    (r = from_incident(a, e, &inc)) != AD_OK)
			return r;
	}
	e->flags |= E_MERGED;
	return 0;
}

/* Writes e; its pending sample lines are in the row now. */
static int
store(struct ad_agg *a, struct ad_agg_sink *sk, struct entry *e)
{
	struct ad_sample samples[AD_SAMPLE_MAX];
	struct ad_incident inc;
	size_t before = entry_cost(e);
	int r;

	to_incident(e, &inc, samples);
	if ((r = sk->save(sk->arg, &inc)) != 0)
		return r;
	e->id = inc.id;
	e->samples_stored = inc.samples_stored;
	e->state = (uint8_t)inc.state;
	e->flags = (uint8_t)((e->flags & ~(E_DIRTY | E_HELD | E_COUNTED)) |
	    flag(inc.counted, E_COUNTED));
	samples_free(e);
	a->bytes -= before - entry_cost(e);
	return 0;
}

/* True when e (never stored) need not be: below its threshold. */
static bool
may_hold(const struct ad_agg *a, const struct ad_agg_sink *sk,
    const struct entry *e)
{
	return !sk->store_below && entry_below(a, e);
}

/*
 * An incident leaves the table (closed, expired or evicted): stored if it
 * has a row to bring up to date or is worth one, else only counted. A row
 * it leaves behind moves the horizon. (Rows go to the store in the order
 * they leave: it writes their keys in key order itself.)
 */
static int
let_go(struct ad_agg *a, struct ad_agg_sink *sk, struct entry *e,
    bool window_open)
{
	int r;

	if ((r = resolve(a, sk, e)) != 0)
		return r;
	if (e->id == 0 && !window_open && may_hold(a, sk, e)) {
		sk->dropped++;
		return 0;
	}
	if ((e->id == 0 || (e->flags & E_DIRTY)) && (r = store(a, sk, e)) != 0)
		return r;
	if (e->last.utc > a->horizon)
		a->horizon = e->last.utc;
	return 0;
}

int
ad_agg_sweep(struct ad_agg *a, struct ad_agg_sink *sk)
{
	int64_t expired = a->newest - a->cfg->window;
	struct entry *e;
	size_t i;
	int r;

	for (i = 0; i < a->n_closed; i++) {
		if ((r = let_go(a, sk, a->closed[i], false)) != 0) {
			/* The caller discards the table: keep it freeable. */
			memmove(a->closed, a->closed + i,
			    (a->n_closed - i) * sizeof(*a->closed));
			a->n_closed -= i;
			return r;
		}
		forget(a, a->closed[i]);
	}
	a->n_closed = 0;
	/* Expired entries: from the start of the activity list. */
	while ((e = a->oldest) != NULL && e->last.utc < expired) {
		if ((r = let_go(a, sk, e, false)) != 0)
			return r;	/* the table is intact */
		i = slot_hash(&e->src, e->category) & (a->cap - 1);
		while (a->slots[i] != e)
			i = (i + 1) & (a->cap - 1);
		remove_slot(a, i);
		lru_unlink(a, e);
		forget(a, e);
		a->count--;
	}
	return 0;
}

/*
 * One checkpoint, in the order that keeps the store and the table in step:
 *  1. closed incidents are final: stored (merged first with a row that may
 *     absorb them), or counted when they were never stored and stayed
 *     below threshold;
 *  2. open ones are sorted by last activity; those whose window passed are
 *     let go like closed ones, and over budget the least recently active
 *     are stored and evicted (a returning source finds its row again
 *     through the horizon);
 *  3. the rest stay: stored first if this is the scan's last checkpoint
 *     and they are worth a row, then packed for sk->held;
 *  4. only then is memory of the leavers released.
 * On failure the caller discards the table, so freeing sample lines as
 * soon as they are stored is safe.
 */
int
ad_agg_checkpoint(struct ad_agg *a, struct ad_agg_sink *sk)
{
	struct ad_sample samples[AD_SAMPLE_MAX];
	struct ad_incident inc;
	struct entry **all;
	size_t n = 0, i, cut;
	size_t bytes;
	int64_t expired = a->newest - a->cfg->window;
	struct ad_buf blob;
	bool first = true, over;
	int r = AD_OK;

	if ((r = ad_agg_sweep(a, sk)) != 0)
		return r;
	if ((all = ad_reallocarray(NULL, a->count ? a->count : 1,
	    sizeof(*all))) == NULL)
		return AD_ERR_NOMEM;
	for (i = 0; i < a->cap; i++)
		if (a->slots[i] != NULL)
			all[n++] = a->slots[i];
	qsort(all, n, sizeof(*all), by_last);
	/* all[0 .. cut) leave the table. */
	bytes = a->bytes;
	over = ad_agg_full(a);
	for (cut = 0; cut < n && (all[cut]->last.utc < expired ||
	    (over && bytes > a->budget / 2)); cut++)
		bytes -= entry_cost(all[cut]);
	ad_buf_init(&blob, (size_t)1 << 30);
	for (i = 0; i < n && r == AD_OK; i++) {
		struct entry *e = all[i];

		if (i < cut) {
			r = let_go(a, sk, e, e->last.utc >= expired);
			continue;
		}
		if ((r = resolve(a, sk, e)) != 0)
			break;
		if (sk->final && (e->flags & E_DIRTY) && (e->id != 0 ||
		    !may_hold(a, sk, e)) && (r = store(a, sk, e)) != 0)
			break;
		if (e->id == 0)
			e->flags |= E_HELD;
		to_incident(e, &inc, samples);
		if (e->id == 0) {
			ad_incident_assess(&inc, a->cfg);
			e->state = (uint8_t)inc.state;
		}
		r = ad_incident_pack(&inc, &blob);
		/* Chunks keep the buffer small. */
		if (r == AD_OK && blob.len >= HELD_CHUNK) {
			r = sk->held(sk->arg, first, blob.p, blob.len);
			first = false;
			ad_buf_reset(&blob);
		}
	}
	if (r == AD_OK && (first || blob.len > 0))
		r = sk->held(sk->arg, first, blob.p, blob.len);
	ad_buf_free(&blob);
	if (r != AD_OK) {
		ad_free(all);
		return r;
	}
	/* Everything is stored: now forget what is no longer needed. */
	memset(a->slots, 0, a->cap * sizeof(*a->slots));
	for (i = 0; i < n; i++) {
		if (i < cut) {
			lru_unlink(a, all[i]);
			forget(a, all[i]);
		} else
			place(a->slots, a->hashes, a->cap, all[i],
			    slot_hash(&all[i]->src, all[i]->category));
	}
	a->count = n - cut;
	ad_free(all);
	return AD_OK;
}
