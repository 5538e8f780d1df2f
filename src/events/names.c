/* events/names.c - the process-wide table that turns event names into ids,
 * so emit compares integers. Names are interned once, by whoever registers
 * or emits first, and live as long as the process (Symbol.for's lifetime):
 * ids can then be kept in globals and shared between loops and threads.
 *
 * Interning is rare (a program has a few dozen names), so one mutex guards
 * the table; emit never comes here. */
#include <pthread.h>
#include <string.h>

#include "core/internal.h"
#include "tide/emitter.h"

#define FIRST_ID 0x80000001u

/* In the order of the TIDE_EVENT_* constants, which are their ids. */
static const char *const builtin_names[] = {
    "error", "errorMonitor", "newListener", "removeListener", "data",
    "end",   "finish",       "prefinish",   "close",          "drain",
    "readable", "pause",     "resume",      "pipe",           "unpipe",
};
#define BUILTIN_COUNT (sizeof builtin_names / sizeof builtin_names[0])

static pthread_mutex_t table_lock = PTHREAD_MUTEX_INITIALIZER;
static char **names;   /* interned after the builtins, by id order */
static uint32_t names_len, names_cap;
static uint32_t *slots; /* open addressing: index into names + 1, 0 = free */
static uint32_t slots_cap;

static uint32_t name_hash(const char *name)
{
    uint32_t h = 2166136261u; /* FNV-1a */
    for (const unsigned char *p = (const unsigned char *)name; *p; p++) h = (h ^ *p) * 16777619u;
    return h;
}

static uint32_t *slot_for(const char *name)
{
    uint32_t mask = slots_cap - 1;
    for (uint32_t i = name_hash(name) & mask;; i = (i + 1) & mask)
        if (!slots[i] || strcmp(names[slots[i] - 1], name) == 0) return &slots[i];
}

static int slots_grow(void)
{
    uint32_t cap = slots_cap ? slots_cap * 2 : 64;
    uint32_t *fresh = tide__calloc(cap, sizeof *fresh);
    if (!fresh) return -ENOMEM;
    uint32_t *old = slots;
    slots = fresh;
    slots_cap = cap;
    for (uint32_t i = 0; i < names_len; i++) *slot_for(names[i]) = i + 1;
    tide__free(old);
    return 0;
}

static tide_event_t intern_locked(const char *name)
{
    for (uint32_t i = 0; i < BUILTIN_COUNT; i++)
        if (strcmp(builtin_names[i], name) == 0) return FIRST_ID + i;
    if ((names_len + 1) * 2 > slots_cap && slots_grow()) return TIDE_EVENT_NONE;
    uint32_t *slot = slot_for(name);
    if (*slot) return FIRST_ID + BUILTIN_COUNT + *slot - 1;
    if (names_len == names_cap) {
        uint32_t cap = names_cap ? names_cap * 2 : 32;
        char **grown = tide__realloc(names, cap * sizeof *grown);
        if (!grown) return TIDE_EVENT_NONE;
        names = grown;
        names_cap = cap;
    }
    size_t len = strlen(name);
    char *copy = tide__malloc(len + 1);
    if (!copy) return TIDE_EVENT_NONE;
    memcpy(copy, name, len + 1);
    names[names_len++] = copy;
    *slot = names_len;
    return FIRST_ID + BUILTIN_COUNT + names_len - 1;
}

tide_event_t tide_event(const char *name)
{
    if (!name || !*name) return TIDE_EVENT_NONE;
    pthread_mutex_lock(&table_lock);
    tide_event_t id = intern_locked(name);
    pthread_mutex_unlock(&table_lock);
    return id;
}

const char *tide_event_name(tide_event_t event)
{
    if (event < FIRST_ID) return NULL;
    uint32_t i = event - FIRST_ID;
    if (i < BUILTIN_COUNT) return builtin_names[i];
    i -= BUILTIN_COUNT;
    pthread_mutex_lock(&table_lock);
    const char *name = i < names_len ? names[i] : NULL;
    pthread_mutex_unlock(&table_lock);
    return name;
}
