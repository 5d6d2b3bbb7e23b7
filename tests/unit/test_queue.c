/*
 * test_queue.c - the review queue's pieces that need no mail: reference
 * tokens, the reports table round trip, the suppression list's domain
 * rules, the send counter, and the known-contacts file.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "abusedesk/ad_ctx.h"
#include "abusedesk/ad_queue.h"
#include "abusedesk/ad_store.h"
#include "test_helper.h"

static struct ad_addr
addr(const char *s)
{
	struct ad_addr a;

	memset(&a, 0, sizeof(a));
	(void)ad_addr_parse(s, strlen(s), &a);
	return a;
}

static int
write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	if (f == NULL)
		return -1;
	fputs(text, f);
	return fclose(f);
}

int
main(void)
{
	char dir[] = "/tmp/abusedesk-tq.XXXXXX", path[256], t1[AD_TOKEN_MAX],
	    t2[AD_TOKEN_MAX];
	struct ad_addr a = addr("203.0.113.7"), b = addr("2001:db8::7");
	struct ad_ctx ctx;
	struct ad_store *st = NULL;
	struct ad_report_row row, back;
	struct ad_contacts *c = NULL;
	struct ad_lookup_answer who;
	struct ad_diag diag;
	int64_t n;
	size_t i;

	ad_ctx_init(&ctx);
	if (mkdtemp(dir) == NULL)
		return 1;

	TEST_START("tokens: AD- and six Crockford characters, fixed by input");
	ad_queue_token(&a, 1000, 0, t1);
	ASSERT_INT_EQ(strlen(t1), 9);
	ASSERT_TRUE(strncmp(t1, "AD-", 3) == 0);
	for (i = 3; i < 9; i++)
		ASSERT_TRUE(strchr("0123456789ABCDEFGHJKMNPQRSTVWXYZ",
		    t1[i]) != NULL);
	ad_queue_token(&a, 1000, 0, t2);
	ASSERT_STR_EQ(t1, t2);
	ad_queue_token(&a, 1000, 1, t2);	/* the salt of a collision */
	ASSERT_TRUE(strcmp(t1, t2) != 0);
	ad_queue_token(&b, 1000, 0, t2);
	ASSERT_TRUE(strcmp(t1, t2) != 0);
	TEST_DONE();

	snprintf(path, sizeof(path), "%s/db", dir);
	TEST_START("reports: saved and read back whole");
	ASSERT_INT_EQ(ad_store_open(&ctx, path, &st, NULL), AD_OK);
	memset(&row, 0, sizeof(row));
	snprintf(row.token, sizeof(row.token), "%s", t1);
	row.src = b;
	row.state = AD_RS_HELD;
	snprintf(row.action, sizeof(row.action), "hold");
	snprintf(row.reasons, sizeof(row.reasons), "no abuse contact");
	snprintf(row.message_id, sizeof(row.message_id), "<%s.1.abusedesk@x>",
	    t1);
	row.message_len = 38;
	row.message = malloc(row.message_len);
	ASSERT_PTR_NOT_NULL(row.message);
	memcpy(row.message, "Subject: x\r\n\r\nbody with a NUL \0 inside",
	    row.message_len);
	row.events = 12;
	row.created = 5;
	ASSERT_INT_EQ(ad_store_report_save(st, &row), AD_OK);
	ASSERT_TRUE(row.id > 0);
	ASSERT_INT_EQ(ad_store_report_get(st, 0, t1, &back), 1);
	ASSERT_INT_EQ(back.id, row.id);
	ASSERT_INT_EQ(back.state, AD_RS_HELD);
	ASSERT_INT_EQ(back.src.af, 6);
	ASSERT_TRUE(memcmp(back.src.b, b.b, 16) == 0);
	ASSERT_STR_EQ(back.reasons, "no abuse contact");
	ASSERT_INT_EQ(back.message_len, 38);
	ASSERT_TRUE(memcmp(back.message, row.message, 38) == 0);
	ASSERT_INT_EQ(back.events, 12);
	ASSERT_INT_EQ(ad_store_token_used(st, t1), 1);
	ASSERT_INT_EQ(ad_store_token_used(st, "AD-000000"), 0);
	ad_report_row_free(&back);
	ASSERT_INT_EQ(ad_store_report_get(st, 0, "AD-000000", &back), 0);
	free(row.message);
	TEST_DONE();

	TEST_START("report states have names both ways");
	for (i = 0; i < AD_RS__COUNT; i++)
		ASSERT_INT_EQ(ad_report_state_from_name(
		    ad_report_state_name((enum ad_report_state)i)), (int)i);
	ASSERT_INT_EQ(ad_report_state_from_name("nonsense"), -1);
	TEST_DONE();

	TEST_START("suppression: address, domain and its subdomains only");
	ASSERT_INT_EQ(ad_store_suppress_add(st, "@Example.org", 1, "asked"),
	    AD_OK);
	ASSERT_INT_EQ(ad_store_suppress_add(st, "noc@isp.example", 1, ""),
	    AD_OK);
	ASSERT_INT_EQ(ad_store_suppressed(st, "abuse@example.org"), 1);
	ASSERT_INT_EQ(ad_store_suppressed(st, "ABUSE@EXAMPLE.ORG"), 1);
	ASSERT_INT_EQ(ad_store_suppressed(st, "abuse@mail.example.org"), 1);
	ASSERT_INT_EQ(ad_store_suppressed(st, "abuse@example.org.evil.net"), 0);
	ASSERT_INT_EQ(ad_store_suppressed(st, "abuse@notexample.org"), 0);
	ASSERT_INT_EQ(ad_store_suppressed(st, "noc@isp.example"), 1);
	ASSERT_INT_EQ(ad_store_suppressed(st, "abuse@isp.example"), 0);
	ASSERT_INT_EQ(ad_store_suppress_remove(st, "@example.org"), 1);
	ASSERT_INT_EQ(ad_store_suppress_remove(st, "@example.org"), 0);
	ASSERT_INT_EQ(ad_store_suppressed(st, "abuse@example.org"), 0);
	TEST_DONE();

	TEST_START("sends are counted per domain and in all");
	ASSERT_INT_EQ(ad_store_send_record(st, 1, "Example.net", 100), AD_OK);
	ASSERT_INT_EQ(ad_store_send_record(st, 2, "example.net", 200), AD_OK);
	ASSERT_INT_EQ(ad_store_send_record(st, 3, "other.example", 300), AD_OK);
	ASSERT_INT_EQ(ad_store_send_count(st, "example.net", 150, &n), AD_OK);
	ASSERT_INT_EQ(n, 1);
	ASSERT_INT_EQ(ad_store_send_count(st, "EXAMPLE.NET", 0, &n), AD_OK);
	ASSERT_INT_EQ(n, 2);
	ASSERT_INT_EQ(ad_store_send_count(st, NULL, 0, &n), AD_OK);
	ASSERT_INT_EQ(n, 3);
	ad_store_close(st);
	TEST_DONE();

	snprintf(path, sizeof(path), "%s/contacts", dir);
	TEST_START("known contacts: the most specific range wins");
	ASSERT_INT_EQ(write_file(path, "# ours\n"
	    "203.0.113.0/24 abuse@example.net Example Transit  \n"
	    "203.0.113.0/28\tnoc@cust.example\n"
	    "2001:db8::/32 abuse6@example.net\n"), 0);
	ASSERT_INT_EQ(ad_contacts_load(path, &c, &diag), AD_OK);
	ASSERT_TRUE(ad_contacts_find(c, &a, &who));
	ASSERT_STR_EQ(who.abuse[0], "noc@cust.example");
	ASSERT_STR_EQ(who.ranges[0], "203.0.113.0/28");
	ASSERT_STR_EQ(who.evidence, "report.contacts line 3");
	a = addr("203.0.113.99");
	ASSERT_TRUE(ad_contacts_find(c, &a, &who));
	ASSERT_STR_EQ(who.abuse[0], "abuse@example.net");
	ASSERT_STR_EQ(who.name, "Example Transit");
	ASSERT_INT_EQ(who.err, AD_OK);
	ASSERT_TRUE(ad_contacts_find(c, &b, &who));
	ASSERT_STR_EQ(who.abuse[0], "abuse6@example.net");
	a = addr("198.51.100.1");
	ASSERT_FALSE(ad_contacts_find(c, &a, &who));
	ad_contacts_free(c);
	TEST_DONE();

	TEST_START("known contacts: lines of one range give its mailboxes in order");
	ASSERT_INT_EQ(write_file(path, "203.0.113.0/24 abuse@example.net"
	    " upstream=noc@transit.example Example\n"
	    "203.0.113.0/28 noc@cust.example\n"
	    "203.0.113.0/24 security@example.net\n"
	    "203.0.113.0/24 abuse@example.net\n"), 0);
	ASSERT_INT_EQ(ad_contacts_load(path, &c, &diag), AD_OK);
	a = addr("203.0.113.99");
	ASSERT_TRUE(ad_contacts_find(c, &a, &who));
	ASSERT_INT_EQ(who.n_abuse, 2);
	ASSERT_STR_EQ(who.abuse[0], "abuse@example.net");
	ASSERT_STR_EQ(who.abuse[1], "security@example.net");
	ASSERT_STR_EQ(who.parent_abuse[0], "noc@transit.example");
	ASSERT_STR_EQ(who.evidence, "report.contacts line 1");
	a = addr("203.0.113.1");
	ASSERT_TRUE(ad_contacts_find(c, &a, &who));
	ASSERT_INT_EQ(who.n_abuse, 1);
	ASSERT_STR_EQ(who.abuse[0], "noc@cust.example");
	ad_contacts_free(c);
	TEST_DONE();

	TEST_START("known contacts: bad lines are refused with file and line");
	ASSERT_INT_EQ(write_file(path, "203.0.113.0/24 abuse@example.net\n"
	    "203.0.113.0/33 x@example.net\n"), 0);
	memset(&diag, 0, sizeof(diag));
	ASSERT_INT_EQ(ad_contacts_load(path, &c, &diag), AD_ERR_PARSE);
	ASSERT_INT_EQ(diag.line, 2);
	ASSERT_INT_EQ(write_file(path, "203.0.113.0/24 abuse@example.net\r"
	    "Bcc: victim@example.org\n"), 0);
	ASSERT_INT_EQ(ad_contacts_load(path, &c, &diag), AD_ERR_PARSE);
	ASSERT_INT_EQ(write_file(path, "203.0.113.0/24 not-a-mailbox\n"), 0);
	ASSERT_INT_EQ(ad_contacts_load(path, &c, &diag), AD_ERR_PARSE);
	snprintf(path, sizeof(path), "%s/missing", dir);
	ASSERT_INT_EQ(ad_contacts_load(path, &c, &diag), AD_ERR_IO);
	TEST_DONE();

	snprintf(path, sizeof(path), "rm -rf '%s'", dir);
	if (system(path) != 0)
		return 1;
	TESTS_END();
}
