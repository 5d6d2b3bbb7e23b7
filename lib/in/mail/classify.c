/*
 * classify.c - what a reply means (the rules are listed in ad_reply.h),
 * its ticket number and web-form URL, and our token in free text.
 *
 * Only what the sender wrote is read: the text is cut at the first quote
 * introduction ("On ... wrote:", "-----Original Message-----", an Outlook
 * header block, a bounce's "copy of the message") and lines starting with
 * '>' are skipped, because our own report quoted back would otherwise
 * match "stop", "logs" or "timestamps". Phrases are matched on a folded
 * copy (ASCII lower case, every run of blanks one space) so a phrase
 * wrapped over two lines still matches. Each class's phrases are a table;
 * a new phrasing is one line.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "abusedesk/ad_ctx.h"
#include "abusedesk/ad_reply.h"
#include "reply_int.h"

/* Crockford base32 without I L O U: the alphabet of our tokens. */
static bool
crockford(int c)
{
	c = toupper(c);
	return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z' && c != 'I' &&
	    c != 'L' && c != 'O' && c != 'U');
}

#define TOKEN_CHARS	6

/* "AD-XXXXXX" at p (case-insensitive) followed by a non-alphanumeric. */
static bool
token_at(const char *p, const char *end)
{
	int i;

	if (end - p < 3 + TOKEN_CHARS || toupper((unsigned char)p[0]) != 'A' ||
	    toupper((unsigned char)p[1]) != 'D' || p[2] != '-')
		return false;
	for (i = 0; i < TOKEN_CHARS; i++)
		if (!crockford((unsigned char)p[3 + i]))
			return false;
	p += 3 + TOKEN_CHARS;
	return p == end || !isalnum((unsigned char)*p);
}

/* The message-id form at p ("AD-XXXXXX.N.abusedesk@"): N, or -1. */
static long
msgid_seq(const char *p, const char *end)
{
	const char *q = p + 3 + TOKEN_CHARS, *d;
	long v = 0;

	if (q >= end || *q != '.')
		return -1;
	for (d = q + 1; d < end && isdigit((unsigned char)*d) && v < 100000;
	    d++)
		v = v * 10 + (*d - '0');
	if (d == q + 1 || end - d < 11 || strncasecmp(d, ".abusedesk@", 11) != 0)
		return -1;
	return v;
}

bool
ad_reply_find_token(const char *s, size_t n, bool bare,
    char out[AD_REPLY_TOKEN_MAX], unsigned *seq)
{
	const char *p, *end = s + n, *found = NULL;
	long sq = -1;
	int i, pass;

	/*
	 * The message-id form first (it also names the message of the
	 * thread), then "#AD-...", then (bare) a free-standing token.
	 */
	for (pass = 0; pass < 3 && found == NULL; pass++) {
		if (pass == 2 && !bare)
			break;
		for (p = s; p < end; p++) {
			if (!token_at(p, end) || (p > s &&
			    isalnum((unsigned char)p[-1])))
				continue;
			if (pass == 0 && (sq = msgid_seq(p, end)) >= 0) {
				found = p;
				break;
			}
			if ((pass == 1 && p > s && p[-1] == '#') || pass == 2) {
				found = p;
				break;
			}
		}
	}
	if (found == NULL)
		return false;
	for (i = 0; i < 3 + TOKEN_CHARS; i++)
		out[i] = (char)toupper((unsigned char)found[i]);
	out[i] = '\0';
	if (seq != NULL)
		*seq = sq > 0 ? (unsigned)sq : 0;
	return true;
}

/* --- what the sender wrote ------------------------------------------- */

static bool
starts(const char *s, const char *e, const char *prefix)
{
	size_t l = strlen(prefix);

	return (size_t)(e - s) >= l && strncasecmp(s, prefix, l) == 0;
}

static bool
ends_with(const char *s, const char *e, const char *suffix)
{
	size_t l = strlen(suffix);

	while (e > s && isspace((unsigned char)e[-1]))
		e--;
	return (size_t)(e - s) >= l && strncasecmp(e - l, suffix, l) == 0;
}

/* Lines that open a quoted or forwarded message, whatever follows. */
static const char *const quote_lines[] = {
	"-----original message-----", "----- original message -----",
	"-----ursprüngliche nachricht-----", "-----message d'origine-----",
	"-----mensaje original-----", "---------- forwarded message",
	"-------- forwarded message", "begin forwarded message",
	"-------- original message --------", "-------- message original",
	"-------- ursprüngliche nachricht", "------ this is a copy of the message",
	"------- original message", "original message follows",
	"--- below this line is a copy of the message",
	"----- the following addresses had", "________________________________",
};

/* Quote introductions that span a line: "On <date>, <who> wrote:". */
static const struct { const char *start, *end; } intro[] = {
	{ "on ", "wrote:" }, { "am ", "schrieb:" }, { "le ", "a écrit :" },
	{ "le ", "a écrit:" }, { "el ", "escribió:" }, { "em ", "escreveu:" },
};

static bool
is_header_line(const char *s, const char *e, const char *name)
{
	return starts(s, e, name);
}

/* Offset of the first line of a quote block, or n. */
static size_t
own_length(const char *t, size_t n)
{
	const char *p = t, *end = t + n, *nl;
	size_t i;

	for (; p < end; p = nl + 1) {
		const char *s = p, *e;

		nl = memchr(p, '\n', (size_t)(end - p));
		if (nl == NULL)
			nl = end;
		e = nl;
		while (s < e && (*s == ' ' || *s == '\t'))
			s++;
		for (i = 0; i < sizeof(quote_lines) / sizeof(quote_lines[0]);
		    i++)
			if (starts(s, e, quote_lines[i]))
				return (size_t)(p - t);
		for (i = 0; i < sizeof(intro) / sizeof(intro[0]); i++) {
			const char *n2, *e2;

			if (!starts(s, e, intro[i].start))
				continue;
			if (ends_with(s, e, intro[i].end))
				return (size_t)(p - t);
			/* Wrapped over two lines by the mail client. */
			if (nl < end) {
				n2 = memchr(nl + 1, '\n', (size_t)(end - nl - 1));
				e2 = n2 ? n2 : end;
				if (e2 - nl < 200 && ends_with(nl + 1, e2,
				    intro[i].end))
					return (size_t)(p - t);
			}
		}
		/* An Outlook header block: From: then Sent:/Date: soon. */
		if (is_header_line(s, e, "from:") && nl < end) {
			const char *q = nl + 1, *qn;
			int k;

			for (k = 0; k < 3 && q < end; k++, q = qn + 1) {
				qn = memchr(q, '\n', (size_t)(end - q));
				if (qn == NULL)
					qn = end;
				if (is_header_line(q, qn, "sent:") ||
				    is_header_line(q, qn, "date:") ||
				    is_header_line(q, qn, "gesendet:") ||
				    is_header_line(q, qn, "envoyé :") ||
				    is_header_line(q, qn, "enviado el:"))
					return (size_t)(p - t);
				if (qn == end)
					break;
			}
		}
		if (nl == end)
			break;
	}
	return n;
}

/*
 * The sender's own lines, folded: ASCII lower case, '>' lines skipped,
 * blank runs as one space, typographic apostrophes as '. Owned by the
 * caller (ad_free); NULL on allocation failure.
 */
static char *
fold(const char *t, size_t n, size_t *outlen)
{
	const char *p = t, *end = t + n, *nl;
	char *o = ad_malloc(n + 2), *w;
	bool space = true;

	if (o == NULL)
		return NULL;
	w = o;
	for (; p < end; p = nl + 1) {
		const char *s = p;

		nl = memchr(p, '\n', (size_t)(end - p));
		if (nl == NULL)
			nl = end;
		while (s < nl && (*s == ' ' || *s == '\t'))
			s++;
		if (s < nl && *s != '>') {
			for (; s < nl; s++) {
				unsigned char c = (unsigned char)*s;

				/* A URL's words ("webformlogins") are no phrase. */
				if (space && (starts(s, nl, "http://") ||
				    starts(s, nl, "https://") ||
				    starts(s, nl, "www."))) {
					while (s + 1 < nl &&
					    !isspace((unsigned char)s[1]))
						s++;
					continue;
				}
				if (isspace(c)) {
					if (!space)
						*w++ = ' ';
					space = true;
					continue;
				}
				/* U+2019 (3 bytes) becomes ' (1 byte). */
				if (c == 0xe2 && nl - s >= 3 &&
				    (unsigned char)s[1] == 0x80 &&
				    (unsigned char)s[2] == 0x99) {
					*w++ = '\'';
					s += 2;
				} else
					*w++ = (char)tolower(c);
				space = false;
			}
			if (!space)
				*w++ = ' ';
			space = true;
		}
		if (nl == end)
			break;
	}
	*w = '\0';
	*outlen = (size_t)(w - o);
	return o;
}

/* --- phrases ------------------------------------------------------------ */

static const char *const p_bounce_subject[] = {
	"undelivered mail returned to sender", "mail delivery failed",
	"delivery status notification (failure)", "undeliverable:",
	"undeliverable mail", "returned mail:", "failure notice",
	"delivery failure", "mail delivery failure", "delivery has failed",
	"message not delivered", "non remis", "unzustellbar",
	"nicht zustellbar", "no se puede entregar", "non recapitabile",
	"delivery status notification (delay)", "warning: message",
};

static const char *const p_bounce_body[] = {
	"this is the mail system at host", "could not be delivered to one or more",
	"following address(es) failed", "i'm sorry to have to inform you",
	"delivery to the following recipient failed",
	"delivery has failed to these recipients",
	"your message could not be delivered", "message could not be delivered",
	"permanent fatal errors", "recipient address rejected",
	"user unknown", "mailbox unavailable",
};

static const char *const p_web_form[] = {
	"web form", "webform", "web-form", "online form", "abuse form",
	"report form", "reporting form", "contact form", "submission form",
	"our form at", "our form on", "use our portal", "abuse portal",
	"only accept reports via", "only accept reports through",
	"reports are only accepted", "please submit your report via",
	"please submit your report through", "please submit it via",
	"webformular", "kontaktformular", "online-formular",
	"abuse-formular", "formulaire", "formulario",
};

static const char *const p_stop[] = {
	"stop sending", "stop emailing", "stop e-mailing", "stop contacting",
	"remove me from", "remove us from", "remove this address",
	"remove our address", "remove my address", "unsubscribe me",
	"unsubscribe us", "please unsubscribe", "do not send us",
	"do not send any", "do not send further", "do not send more",
	"do not send reports", "don't send us", "don't send any",
	"dont send us", "no more reports", "not wish to receive",
	"no longer wish to receive", "don't want to receive",
	"do not want to receive", "do not contact us", "don't contact us",
	"keine weiteren meldungen", "keine meldungen mehr",
	"hören sie auf", "nicht mehr kontaktieren", "nicht mehr zusenden",
	"ne plus recevoir", "arrêtez d'envoyer", "cessez d'envoyer",
	"dejen de enviar", "deje de enviar", "no nos envíen",
	"no envíen más",
};

static const char *const p_not_ours[] = {
	"not our network", "not in our network", "not part of our network",
	"not on our network", "not within our network", "not our ip",
	"not our address", "not managed by us", "not owned by us",
	"not operated by us", "not hosted by us", "not announced by us",
	"not allocated to us", "not assigned to us", "not registered to us",
	"does not belong to us", "doesn't belong to us",
	"does not belong to our", "doesn't belong to our",
	"is not our customer", "is not a customer of ours",
	"not one of our customers", "not a customer of ours",
	"we do not own", "we don't own", "no longer ours",
	"no longer belongs to us", "no longer part of our",
	"please contact the rir", "contact the rir", "contact the upstream",
	"contact their upstream", "contact the responsible provider",
	"contact the responsible isp", "contact the owner of",
	"contact the correct", "wrong abuse contact",
	"nicht unser netz", "nicht in unserem netz", "gehört nicht zu uns",
	"gehört nicht zu unserem", "nicht unser kunde", "kein kunde von uns",
	"n'appartient pas à notre", "ne fait pas partie de notre réseau",
	"n'est pas géré par nous", "n'est pas notre client",
	"no pertenece a nuestra", "no es nuestra red", "no es cliente nuestro",
	"no está gestionada por nosotros",
};

static const char *const p_resolved[] = {
	"has been resolved", "have been resolved", "issue is resolved",
	"issue resolved", "problem is resolved", "problem resolved",
	"has been fixed", "have been fixed", "has been solved",
	"marked as solved", "has been cleaned",
	"host cleaned", "server cleaned", "was cleaned", "been cleaned up",
	"has been suspended", "have been suspended", "was suspended",
	"account suspended", "service suspended", "server suspended",
	"has been terminated", "have been terminated", "was terminated",
	"has been disconnected", "has been shut down", "was shut down",
	"been taken offline", "been taken down", "has been null-routed",
	"has been nullrouted", "null routed", "has been secured",
	"has been patched", "has been disinfected", "has been stopped",
	"activity has stopped", "has been blocked", "took appropriate action",
	"taken appropriate action", "taken the appropriate action",
	"appropriate measures have been",
	"wurde behoben", "wurde gesperrt", "wurde bereinigt",
	"wurde abgeschaltet", "wurde gekündigt", "problem gelöst",
	"a été résolu", "a été suspendu", "a été nettoyé", "a été corrigé",
	"a été coupé", "ha sido resuelto", "ha sido suspendid",
	"se ha resuelto", "ha sido corregido",
};

static const char *const p_forwarded[] = {
	"forwarded to the customer", "forwarded to our customer",
	"forwarded to the client", "forwarded to our client",
	"forwarded your report to", "forwarded your complaint to",
	"forwarded your email to", "forwarded this to", "forwarded it to",
	"forwarded the report", "forwarded the complaint",
	"passed on to the customer", "passed on to our customer",
	"passed your report", "passed it on to", "passed this on to",
	"customer has been notified", "customer has been informed",
	"customer has been contacted", "client has been notified",
	"we have notified our customer", "we have notified the customer",
	"we have informed our customer", "we have informed the customer",
	"we have contacted the customer", "we have contacted our customer",
	"notified the responsible customer", "notified the account holder",
	"an den kunden weitergeleitet", "an unseren kunden weitergeleitet",
	"kunden informiert", "kunden benachrichtigt",
	"transmis à notre client", "transmis au client",
	"transféré à notre client", "informé notre client",
	"reenviado al cliente", "reenviado a nuestro cliente",
	"hemos notificado al cliente", "informado al cliente",
};

/* Requests, not mentions: acks say "for more information see ...". */
static const char *const p_more_info[] = {
	"please send more", "please provide more", "please send us more",
	"please send us the logs", "please send logs", "please send the logs",
	"please provide logs", "please provide the logs",
	"please provide log", "send us the logs", "send us logs",
	"need more information", "need more details", "need more info",
	"need additional information", "need further information",
	"require more information", "require additional information",
	"insufficient information", "not enough information",
	"unable to identify", "cannot identify", "could not identify",
	"can't identify", "unable to locate", "could you send",
	"could you provide", "can you send", "can you provide",
	"please include timestamps", "exact timestamps", "with timestamps",
	"including timestamps", "time zone", "timezone", "full logs",
	"log excerpts", "source port",
	"benötigen weitere informationen", "benötigen mehr informationen",
	"bitte senden sie uns", "zeitstempel", "logdateien",
	"merci de nous fournir", "pourriez-vous nous", "plus d'informations",
	"informations complémentaires", "horodatage",
	"necesitamos más información", "por favor envíe",
	"información adicional",
};

static const char *const p_ack[] = {
	"this is an automated", "this is an automatic",
	"automatically generated", "automatic reply", "automated reply",
	"automated response", "automatic response", "auto-reply",
	"autoreply", "we have received your", "we received your",
	"has been received", "have been received", "we acknowledge receipt",
	"thank you for your report", "thanks for your report",
	"thank you for reporting", "thank you for contacting",
	"thank you for your email", "thank you for your message",
	"thank you for your e-mail", "your report has been",
	"your request has been", "your message has been",
	"a ticket has been created", "ticket has been opened",
	"ticket has been created", "has been assigned",
	"we will review", "will be reviewed", "will be processed",
	"will investigate", "we will look into", "is being reviewed",
	"out of office", "out of the office",
	"ihre nachricht ist bei uns eingegangen", "wir haben ihre",
	"automatische antwort", "vielen dank für ihre", "eingangsbestätigung",
	"nous avons bien reçu", "réponse automatique", "accusé de réception",
	"hemos recibido su", "respuesta automática", "acuse de recibo",
};

static const char *const p_ack_subject[] = {
	"automatic reply", "auto:", "autoreply", "auto-reply",
	"automatische antwort", "réponse automatique", "respuesta automática",
	"out of office", "abwesenheit", "[ticket#", "ticket#",
	"received:", "acknowledg",
};

#define N(a)	(sizeof(a) / sizeof((a)[0]))

/* The first phrase of list found in the folded text, or NULL. */
static const char *
phrase(const char *folded, const char *const *list, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strstr(folded, list[i]) != NULL)
			return list[i];
	return NULL;
}

/*
 * True when the sentence before at makes it a condition or a question:
 * "once the host has been cleaned", "tell us how the problem has been
 * terminated", "if you need more information".
 */
static bool
conditional(const char *folded, const char *at)
{
	static const char *const words[] = {
		" if ", " once ", " when ", " how ", " whether ", " until ",
		" unless ", " after ", " wenn ", " sobald ", " si ", " quand ",
		" cuando ",
	};
	const char *s = at;
	size_t i;

	while (s > folded && strchr(".!?;:", s[-1]) == NULL && at - s < 300)
		s--;
	for (i = 0; i < N(words); i++) {
		const char *w = words[i] + (s == folded || s[0] != ' ');

		/* At the sentence start the leading blank is not there. */
		if (strncmp(s, w, strlen(w)) == 0)
			return true;
		if (reply_memcasemem(s, (size_t)(at - s), words[i]) != NULL)
			return true;
	}
	return false;
}

/* Like phrase(), skipping occurrences inside a condition. */
static const char *
asserted(const char *folded, const char *const *list, size_t n)
{
	const char *p;
	size_t i;

	for (i = 0; i < n; i++)
		for (p = folded; (p = strstr(p, list[i])) != NULL; p++)
			if (!conditional(folded, p))
				return list[i];
	return NULL;
}

/* --- fields ------------------------------------------------------------- */

/* A URL in own text: the first mentioning a form or abuse, else the first. */
static void
find_url(struct ad_reply *r, const char *t, size_t n)
{
	static const char *const hint[] = { "form", "abuse", "report",
	    "contact", "support", "ticket" };
	const char *p, *end = t + n, *first = NULL, *first_e = NULL;
	size_t i;

	for (p = t; p < end; p++) {
		const char *e;

		if (!starts(p, end, "https://") && !starts(p, end, "http://"))
			continue;
		for (e = p; e < end && (unsigned char)*e > ' ' &&
		    (unsigned char)*e < 0x7f && *e != '<' && *e != '>' &&
		    *e != '"' && *e != '\'' && *e != ')' && *e != ']'; e++)
			;
		while (e > p && strchr(".,;:!?", e[-1]) != NULL)
			e--;
		if (e - p <= 8) {
			p = e;
			continue;
		}
		if (first == NULL)
			first = p, first_e = e;
		for (i = 0; i < N(hint); i++)
			if (reply_memcasemem(p, (size_t)(e - p), hint[i])) {
				first = p, first_e = e;
				goto found;
			}
		p = e;
	}
	if (first == NULL)
		return;
found:
	if ((size_t)(first_e - first) < sizeof(r->form_url))
		reply_copy(r->form_url, sizeof(r->form_url), first,
		    (size_t)(first_e - first), false, true);
}

/* Words between a ticket label and its value. */
static const char *const ticket_fill[] = {
	"id", "number", "no.", "no", "nr.", "nr", "num", "is", "ref",
};

static const char *const ticket_labels[] = {
	"ticket", "case", "incident", "request", "reference", "ref",
	"vorgang", "vorgangsnummer", "ticketnummer", "dossier", "caso",
	"número de caso", "numéro de ticket", "référence", "tracking",
	"abuseid", "abuse id", "abuse-id", "issue",
};

/* The value at p: [A-Za-z0-9][A-Za-z0-9._/-]*, with a digit, not ours. */
static bool
ticket_value(struct ad_reply *r, const char *p, const char *end)
{
	char tok[AD_REPLY_TOKEN_MAX];
	const char *e = p;
	bool digit = false;

	if (p < end && *p == '#')
		p++, e++;
	if (p >= end || !isalnum((unsigned char)*p))
		return false;
	while (e < end && (isalnum((unsigned char)*e) || strchr("._/-:",
	    *e) != NULL) && e - p < AD_REPLY_TICKET_MAX - 1) {
		if (isdigit((unsigned char)*e))
			digit = true;
		e++;
	}
	while (e > p && strchr(".:-/", e[-1]) != NULL)
		e--;
	/* "Case 10" in prose is no ticket; AD-... is our own token. */
	if (!digit || e - p < 4 || starts(p, e, "ad-") ||
	    ad_reply_find_token(p, (size_t)(e - p), true, tok, NULL))
		return false;
	reply_copy(r->ticket, sizeof(r->ticket), p, (size_t)(e - p), false,
	    true);
	return true;
}

static bool
ticket_in(struct ad_reply *r, const char *t, size_t n)
{
	const char *p, *end = t + n;
	size_t i, k;

	for (p = t; p < end; p++) {
		if (p > t && isalnum((unsigned char)p[-1]))
			continue;
		/* RT: "[rt.example.net #12345]" (not our "[abusedesk #AD-..]"). */
		if (*p == '[') {
			const char *hash = p + 1;

			while (hash < end && hash - p < 64 && *hash != '#' &&
			    *hash != ']' && *hash != '\n')
				hash++;
			if (hash < end && *hash == '#' && hash > p + 1 &&
			    hash[-1] == ' ' && !starts(p + 1, hash, "abusedesk") &&
			    ticket_value(r, hash, end))
				return true;
		}
		for (i = 0; i < N(ticket_labels); i++) {
			const char *q;

			if (!starts(p, end, ticket_labels[i]))
				continue;
			q = p + strlen(ticket_labels[i]);
			if (q < end && isalpha((unsigned char)*q))
				continue;
			/* Separators and filler words up to the value. */
			for (;;) {
				while (q < end && (*q == ' ' || *q == ':' ||
				    *q == '(' || *q == '=' || *q == '\t'))
					q++;
				for (k = 0; k < N(ticket_fill); k++) {
					size_t l = strlen(ticket_fill[k]);

					if (starts(q, end, ticket_fill[k]) &&
					    (q + l >= end ||
					    !isalnum((unsigned char)q[l])))
						break;
				}
				if (k == N(ticket_fill))
					break;
				q += strlen(ticket_fill[k]);
			}
			if (ticket_value(r, q, end))
				return true;
		}
	}
	return false;
}

static void
set_why(struct ad_reply *r, enum ad_reply_class c, const char *what,
    const char *detail)
{
	size_t l;

	r->cls = c;
	l = (size_t)snprintf(r->why, sizeof(r->why), "%s", what);
	if (detail != NULL && l < sizeof(r->why))
		snprintf(r->why + l, sizeof(r->why) - l, " \"%s\"", detail);
}

static bool
bounce_sender(const char *from)
{
	return strncmp(from, "mailer-daemon@", 14) == 0 ||
	    strncmp(from, "postmaster@", 11) == 0 ||
	    strncmp(from, "mail-daemon@", 12) == 0;
}

void
ad_reply_classify(struct ad_reply *r)
{
	const char *t = ad_buf_str(&r->text), *ph;
	char subj[AD_REPLY_SUBJECT_MAX + 2];
	size_t flen = 0;
	char *f;

	r->text_own_len = own_length(t, r->text.len);
	r->ticket[0] = r->form_url[0] = '\0';
	if (!ticket_in(r, r->subject, strlen(r->subject)))
		(void)ticket_in(r, t, r->text_own_len);
	f = fold(t, r->text_own_len, &flen);
	reply_copy(subj, sizeof(subj), r->subject, strlen(r->subject), true,
	    false);

	/* 1. Bounces: a DSN, else sender, subject and wording together. */
	if (r->dsn) {
		set_why(r, AD_REPLY_BOUNCE, "DSN (multipart/report; "
		    "report-type=delivery-status)", NULL);
		goto out;
	}
	if ((ph = phrase(subj, p_bounce_subject, N(p_bounce_subject))) !=
	    NULL || (bounce_sender(r->from) && f != NULL &&
	    (ph = phrase(f, p_bounce_body, N(p_bounce_body))) != NULL)) {
		set_why(r, AD_REPLY_BOUNCE, "bounce wording", ph);
		reply_scan_bounce_text(r);
		goto out;
	}
	if (f == NULL) {
		set_why(r, AD_REPLY_UNKNOWN, "out of memory", NULL);
		return;
	}
	/* 2. Resubmit through a web form: manual work, whoever wrote it. */
	if ((ph = phrase(f, p_web_form, N(p_web_form))) != NULL) {
		set_why(r, AD_REPLY_WEB_FORM, "phrase", ph);
		find_url(r, t, r->text_own_len);
		goto out;
	}
	/*
	 * 3. Automated: a ticket system may say the report went to the
	 * customer or the ticket was solved; it never means "stop" or "send
	 * more" the way a person does (its footers say such things).
	 */
	if (r->auto_submitted) {
		if ((ph = asserted(f, p_not_ours, N(p_not_ours))) != NULL)
			set_why(r, AD_REPLY_NOT_OUR_NETWORK, "phrase", ph);
		else if ((ph = asserted(f, p_resolved, N(p_resolved))) != NULL)
			set_why(r, AD_REPLY_RESOLVED, "phrase", ph);
		else if ((ph = asserted(f, p_forwarded, N(p_forwarded))) !=
		    NULL)
			set_why(r, AD_REPLY_FORWARDED, "phrase", ph);
		else
			set_why(r, AD_REPLY_AUTO_ACK, "auto-reply header",
			    NULL);
		goto out;
	}
	/* 4. A person wrote it. */
	if ((ph = asserted(f, p_stop, N(p_stop))) != NULL)
		set_why(r, AD_REPLY_STOP, "phrase", ph);
	else if ((ph = asserted(f, p_not_ours, N(p_not_ours))) != NULL)
		set_why(r, AD_REPLY_NOT_OUR_NETWORK, "phrase", ph);
	else if ((ph = asserted(f, p_resolved, N(p_resolved))) != NULL)
		set_why(r, AD_REPLY_RESOLVED, "phrase", ph);
	else if ((ph = asserted(f, p_forwarded, N(p_forwarded))) != NULL)
		set_why(r, AD_REPLY_FORWARDED, "phrase", ph);
	else if ((ph = asserted(f, p_more_info, N(p_more_info))) != NULL)
		set_why(r, AD_REPLY_MORE_INFO, "phrase", ph);
	else if ((ph = asserted(f, p_ack, N(p_ack))) != NULL)
		set_why(r, AD_REPLY_AUTO_ACK, "phrase", ph);
	else if ((ph = phrase(subj, p_ack_subject, N(p_ack_subject))) != NULL)
		set_why(r, AD_REPLY_AUTO_ACK, "subject", ph);
	else if (r->ticket[0])
		set_why(r, AD_REPLY_AUTO_ACK, "ticket number", r->ticket);
	else
		set_why(r, AD_REPLY_UNKNOWN, "no rule matched", NULL);
out:
	ad_free(f);
}
