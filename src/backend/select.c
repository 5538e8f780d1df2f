/* backend/select.c - chooses the backend for a new loop: epoll unless the
 * TIDE_BACKEND environment variable names another one this build has. */
#include <stdlib.h>
#include <string.h>

#include "backend/backend.h"

static const tide__backend_ops_t *const backends[] = {&tide__backend_epoll};

const tide__backend_ops_t *tide__backend_pick(void)
{
    const char *want = getenv("TIDE_BACKEND");
    if (want && *want) {
        for (size_t i = 0; i < sizeof backends / sizeof backends[0]; i++)
            if (strcmp(backends[i]->name, want) == 0) return backends[i];
        return NULL;
    }
    return backends[0];
}
