/*
 * parse_vsftpd.c - vsftpd.
 *
 * Not written yet: the family is declared so the tree has its place; it
 * parses nothing and --format does not offer it (ad_family_available).
 */
#include "parse_int.h"

const struct family fam_vsftpd = {
	.name = "vsftpd",
};
