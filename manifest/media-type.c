/*
 * Media types (manifest.h): the kind of document a type names, the
 * Docker and schema 1 families, and RFC 6838 syntax.  Moved out of
 * manifest.c, which reads and validates the documents.
 */
#include <string.h>

#include "manifest/manifest.h"

enum manifest_kind manifest_kind_of(const char *media_type)
{
	if (!media_type)
		return MANIFEST_KIND_OTHER;
	if (!strcmp(media_type, MT_OCI_MANIFEST) ||
	    !strcmp(media_type, MT_DOCKER_MANIFEST))
		return MANIFEST_KIND_IMAGE;
	if (!strcmp(media_type, MT_OCI_INDEX) ||
	    !strcmp(media_type, MT_DOCKER_LIST))
		return MANIFEST_KIND_INDEX;
	if (!strcmp(media_type, MT_OCI_CONFIG) ||
	    !strcmp(media_type, MT_DOCKER_CONFIG))
		return MANIFEST_KIND_CONFIG;
	return MANIFEST_KIND_OTHER;
}

const char *manifest_kind_name(enum manifest_kind kind)
{
	switch (kind) {
	case MANIFEST_KIND_IMAGE:
		return "image";
	case MANIFEST_KIND_INDEX:
		return "index";
	case MANIFEST_KIND_CONFIG:
		return "config";
	default:
		return "other";
	}
}

int media_type_is_docker(const char *mt)
{
	return mt && (!strcmp(mt, MT_DOCKER_MANIFEST) ||
		      !strcmp(mt, MT_DOCKER_LIST) ||
		      !strcmp(mt, MT_DOCKER_CONFIG));
}

int media_type_is_schema1(const char *mt)
{
	return mt && (!strcmp(mt, MT_DOCKER_SCHEMA1) ||
		      !strcmp(mt, MT_DOCKER_SCHEMA1_SIGNED));
}

/* RFC 6838 4.2: restricted-name is 1 to 127 characters. */
#define MT_NAME_MAX 127
#define MT_MAX 255

static int is_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9');
}

/* Length of the restricted-name at s, 0 if there is none. */
static size_t restricted_name(const char *s)
{
	size_t n;

	if (!is_alnum(s[0]))
		return 0;
	for (n = 1; s[n]; n++)
		if (!is_alnum(s[n]) && !strchr("!#$&-^_.+", s[n]))
			break;
	return n <= MT_NAME_MAX ? n : 0;
}

int media_type_valid(const char *mt)
{
	size_t a, b;

	if (!mt || strlen(mt) > MT_MAX)
		return 0;
	a = restricted_name(mt);
	if (!a || mt[a] != '/')
		return 0;
	b = restricted_name(mt + a + 1);
	return b && !mt[a + 1 + b];
}
