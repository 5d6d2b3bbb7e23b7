/*
 * aggregate.c - the working table: (source, category) -> incident.
 *
 * Open addressing with linear probing over a power-of-two array; the key
 * is hashed with a 64-bit mix of the 16 address bytes and the category.
 * An event outside the window of its key's incident closes that incident
 * (it moves to the `closed` list, written and freed at the next checkpoint)
 * and opens a new one in the same slot, so probe chains never break.
 * Eviction rebuilds the table from the survivors.
 */
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "abusedesk/ad_ctx.h"
#include "abusedesk/ad_detect.h"

/* Held incidents go to the sink in chunks of about this size. */
#define HELD_CHUNK	(128u << 10)

/* Memory of a sample line beyond its text: NUL and its array slot. */
#define SAMPLE_OVERHEAD	(1 + sizeof(struct ad_sample))

struct ad_agg {
	const struct ad_detect_config	*cfg;
	struct ad_incident		**slots;
	size_t				  cap;		/* power of two */
	size_t				  count;
	struct ad_incident		**closed;
	size_t				  n_closed, cap_closed;
	size_t				  bytes;	/* memory held */
	size_t				  budget;
	int64_t				  newest;	/* latest event time seen */
};

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
	if ((a->slots = ad_calloc(a->cap, sizeof(*a->slots))) == NULL) {
		ad_free(a);
		return NULL;
	}
	a->bytes = a->cap * sizeof(*a->slots);
	return a;
}

static void
incident_free(struct ad_incident *inc)
{
	if (inc == NULL)
		return;
	ad_incident_clear_samples(inc);
	ad_free(inc);
}

void
ad_agg_free(struct ad_agg *a)
{
	size_t i;

	if (a == NULL)
		return;
	for (i = 0; i < a->cap; i++)
		incident_free(a->slots[i]);
	for (i = 0; i < a->n_closed; i++)
		incident_free(a->closed[i]);
	ad_free(a->slots);
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

static void
place(struct ad_incident **slots, size_t cap, struct ad_incident *inc)
{
	size_t j = key_hash(&inc->src, inc->category) & (cap - 1);

	while (slots[j] != NULL)
		j = (j + 1) & (cap - 1);
	slots[j] = inc;
}

static int
grow(struct ad_agg *a)
{
	struct ad_incident **ns;
	size_t ncap = a->cap * 2, i;

	if ((ns = ad_calloc(ncap, sizeof(*ns))) == NULL)
		return AD_ERR_NOMEM;
	for (i = 0; i < a->cap; i++)
		if (a->slots[i] != NULL)
			place(ns, ncap, a->slots[i]);
	ad_free(a->slots);
	a->bytes += (ncap - a->cap) * sizeof(*ns);
	a->slots = ns;
	a->cap = ncap;
	return AD_OK;
}

static int
push_closed(struct ad_agg *a, struct ad_incident *inc)
{
	if (a->n_closed == a->cap_closed) {
		size_t n = a->cap_closed ? a->cap_closed * 2 : 64;
		struct ad_incident **c;

		if ((c = ad_reallocarray(a->closed, n, sizeof(*c))) == NULL)
			return AD_ERR_NOMEM;
		a->bytes += (n - a->cap_closed) * sizeof(*c);
		a->closed = c;
		a->cap_closed = n;
	}
	a->closed[a->n_closed++] = inc;
	return AD_OK;
}

static void
add_port(struct ad_incident *inc, uint16_t port)
{
	uint8_t i;

	if (port == 0)
		return;
	for (i = 0; i < inc->n_ports; i++)
		if (inc->ports[i] == port)
			return;
	if (inc->n_ports < AD_INC_PORTS_MAX)
		inc->ports[inc->n_ports++] = port;
	else
		inc->ports_more = true;
}

static void
add_target(struct ad_incident *inc, const struct ad_addr *t)
{
	uint8_t i;

	if (t->af == 0)
		return;
	for (i = 0; i < inc->n_targets; i++)
		if (ad_addr_equal(&inc->targets[i], t))
			return;
	if (inc->n_targets < AD_INC_TARGETS_MAX)
		inc->targets[inc->n_targets++] = *t;
	else
		inc->targets_more = true;
}

static void
add_user(struct ad_incident *inc, const char *u, size_t n)
{
	uint8_t i;

	if (u == NULL)
		return;
	if (n > AD_INC_USER_LEN)
		n = AD_INC_USER_LEN;
	for (i = 0; i < inc->n_users; i++)
		if (strncmp(inc->users[i], u, n) == 0 && inc->users[i][n] == '\0')
			return;
	if (inc->n_users < AD_INC_USERS_MAX) {
		memcpy(inc->users[inc->n_users], u, n);
		inc->users[inc->n_users][n] = '\0';
		inc->n_users++;
	} else
		inc->users_more = true;
}

static int
add_sample(struct ad_agg *a, struct ad_incident *inc, const char *file,
    uint64_t lineno, const struct ad_instant *t, const char *format,
    const char *line, size_t len)
{
	struct ad_sample *s;

	if (ad_incident_samples_wanted(inc) == 0)
		return AD_OK;
	if (len > AD_SAMPLE_LINE_MAX)
		len = AD_SAMPLE_LINE_MAX;
	if (ad_incident_sample_room(inc) != AD_OK)
		return AD_ERR_NOMEM;
	s = &inc->samples[inc->n_samples];
	s->file_owned = false;
	if ((s->text = ad_strndup(line, len)) == NULL)
		return AD_ERR_NOMEM;
	s->len = len;
	s->file = file;
	s->line = lineno;
	s->time = *t;
	snprintf(s->format, sizeof(s->format), "%s", format ? format : "");
	inc->n_samples++;
	a->bytes += len + SAMPLE_OVERHEAD;
	return AD_OK;
}

int
ad_agg_add(struct ad_agg *a, const struct ad_event *ev,
    const struct ad_instant *fallback, const char *file, uint64_t lineno,
    const char *line, size_t len)
{
	const struct ad_instant *t = ev->time.valid ? &ev->time : fallback;
	struct ad_incident *inc;
	size_t i;
	int r;

	if (a->count * 2 >= a->cap && (r = grow(a)) != AD_OK)
		return r;
	i = key_hash(&ev->src, ev->category) & (a->cap - 1);
	while ((inc = a->slots[i]) != NULL) {
		if (inc->category == ev->category &&
		    ad_addr_equal(&inc->src, &ev->src))
			break;
		i = (i + 1) & (a->cap - 1);
	}
	if (inc == NULL || t->utc > inc->last.utc + a->cfg->window ||
	    t->utc < inc->first.utc - a->cfg->window) {
		struct ad_incident *fresh;

		if ((fresh = ad_calloc(1, sizeof(*fresh))) == NULL)
			return AD_ERR_NOMEM;
		/* Outside the window: that incident is done, a new one starts. */
		if (inc != NULL && (r = push_closed(a, inc)) != AD_OK) {
			ad_free(fresh);
			return r;
		}
		if (inc == NULL)
			a->count++;
		fresh->src = ev->src;
		fresh->category = ev->category;
		fresh->first = fresh->last = *t;
		a->slots[i] = inc = fresh;
		a->bytes += sizeof(*inc);
	}
	if (t->utc > a->newest)
		a->newest = t->utc;
	if (t->utc < inc->first.utc)
		inc->first = *t;
	if (t->utc >= inc->last.utc)
		inc->last = *t;
	inc->dirty = true;
	inc->events += ev->count;
	if (ev->evidence == AD_EVIDENCE_PROVEN)
		inc->proven += ev->count;
	else
		inc->spoofable += ev->count;
	inc->services |= ad_service_bit(ev->service);
	add_port(inc, ev->dst_port);
	add_target(inc, &ev->dst);
	add_user(inc, ev->user, ev->user_len);
	return add_sample(a, inc, file, lineno, t, ev->format, line, len);
}

static int
by_last(const void *x, const void *y)
{
	const struct ad_incident *a = *(struct ad_incident *const *)x;
	const struct ad_incident *b = *(struct ad_incident *const *)y;

	return (a->last.utc > b->last.utc) - (a->last.utc < b->last.utc);
}

/* What an incident's pending sample lines count against the budget. */
static size_t
samples_cost(const struct ad_incident *inc)
{
	size_t c = 0;
	uint8_t k;

	for (k = 0; k < inc->n_samples; k++)
		c += inc->samples[k].len + SAMPLE_OVERHEAD;
	return c;
}

int
ad_agg_put(struct ad_agg *a, const struct ad_incident *inc)
{
	struct ad_incident *c;
	int r;

	if (a->count * 2 >= a->cap && (r = grow(a)) != AD_OK)
		return r;
	if ((c = ad_malloc(sizeof(*c))) == NULL)
		return AD_ERR_NOMEM;
	*c = *inc;
	place(a->slots, a->cap, c);
	a->count++;
	a->bytes += sizeof(*c) + samples_cost(c);
	if (c->last.utc > a->newest)
		a->newest = c->last.utc;
	return AD_OK;
}

int64_t
ad_agg_newest(const struct ad_agg *a)
{
	return a->newest;
}

static void
forget(struct ad_agg *a, struct ad_incident *inc)
{
	a->bytes -= sizeof(*inc) + samples_cost(inc);
	incident_free(inc);
}

/*
 * One checkpoint, in the order that keeps the store and the table in step:
 *  1. closed incidents are final: stored, or counted when they were never
 *     stored and stayed below threshold (may_hold);
 *  2. open ones are sorted by last activity; those whose window passed, and
 *     over budget the least recently active, will be evicted;
 *  3. an open incident that may be held is held (packed into the blob) if
 *     it stays, stored if it is evicted while its window is open, counted
 *     if its window passed; any other changed incident is stored;
 *  4. the blob of every held incident goes to the sink;
 *  5. only then is memory released.
 */
int
ad_agg_checkpoint(struct ad_agg *a, struct ad_agg_sink *sk)
{
	struct ad_incident **all;
	size_t n = 0, i, cut;
	size_t bytes;
	int64_t expired = a->newest - a->cfg->window;
	struct ad_buf blob;
	bool first = true;
	uint8_t k;
	int r = AD_OK;

	for (i = 0; i < a->n_closed; i++) {
		struct ad_incident *c = a->closed[i];

		if (c->id == 0 && sk->may_hold(sk->arg, c))
			sk->dropped++;
		else if ((r = sk->save(sk->arg, c)) != 0)
			return r;
	}
	if ((all = ad_reallocarray(NULL, a->count ? a->count : 1,
	    sizeof(*all))) == NULL)
		return AD_ERR_NOMEM;
	for (i = 0; i < a->cap; i++)
		if (a->slots[i] != NULL)
			all[n++] = a->slots[i];
	qsort(all, n, sizeof(*all), by_last);
	/* all[0 .. cut) leave the table. */
	bytes = a->bytes;
	for (cut = 0; cut < n && (all[cut]->last.utc < expired ||
	    bytes > a->budget / 2); cut++)
		bytes -= sizeof(*all[cut]) + samples_cost(all[cut]);
	ad_buf_init(&blob, (size_t)1 << 30);
	for (i = 0; i < n && r == AD_OK; i++) {
		struct ad_incident *inc = all[i];

		if (inc->id == 0 && sk->may_hold(sk->arg, inc)) {
			if (inc->last.utc < expired) {
				sk->dropped++;
				continue;
			}
			if (i >= cut) {
				inc->held = inc->merged = true;
				ad_incident_assess(inc, a->cfg);
				for (k = 0; k < inc->n_samples && r == AD_OK; k++)
					r = ad_sample_own_file(&inc->samples[k]);
				if (r == AD_OK)
					r = ad_incident_pack(inc, &blob);
				/* Chunks keep the buffer small. */
				if (r == AD_OK && blob.len >= HELD_CHUNK) {
					r = sk->held(sk->arg, first, blob.p,
					    blob.len);
					first = false;
					ad_buf_reset(&blob);
				}
				continue;
			}
			inc->held = false;
		} else if (!inc->dirty)
			continue;
		r = sk->save(sk->arg, inc);
	}
	if (r == AD_OK && (first || blob.len > 0))
		r = sk->held(sk->arg, first, blob.p, blob.len);
	ad_buf_free(&blob);
	if (r != AD_OK) {
		ad_free(all);
		return r;
	}
	/* Everything is stored: now forget what is no longer needed. */
	for (i = 0; i < a->n_closed; i++)
		forget(a, a->closed[i]);
	a->n_closed = 0;
	memset(a->slots, 0, a->cap * sizeof(*a->slots));
	for (i = 0; i < n; i++) {
		struct ad_incident *inc = all[i];

		if (i < cut) {
			forget(a, inc);
			continue;
		}
		if (!inc->held) {
			a->bytes -= samples_cost(inc);
			ad_incident_clear_samples(inc);
		}
		inc->dirty = false;
		place(a->slots, a->cap, inc);
	}
	a->count = n - cut;
	ad_free(all);
	return AD_OK;
}
