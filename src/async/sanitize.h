/* async/sanitize.h - what the fiber code tells ASan, TSan and Valgrind, so
 * they follow stack switches instead of reporting them. Each part is empty
 * unless its tool is in the build; the Valgrind requests cost a few no-op
 * instructions when the program is not running under Valgrind. */
#ifndef TIDE_ASYNC_SANITIZE_H
#define TIDE_ASYNC_SANITIZE_H

#include <stddef.h>

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define TIDE__ASAN 1
#endif
#if __has_feature(thread_sanitizer)
#define TIDE__TSAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__)
#define TIDE__ASAN 1
#endif
#if defined(__SANITIZE_THREAD__)
#define TIDE__TSAN 1
#endif

#ifdef TIDE__ASAN
#include <sanitizer/asan_interface.h>
#include <sanitizer/common_interface_defs.h>
#endif

#ifdef TIDE__TSAN
#include <sanitizer/tsan_interface.h>
#endif

#if defined(__has_include)
#if __has_include(<valgrind/valgrind.h>)
#include <valgrind/valgrind.h>
#define TIDE__VALGRIND 1
#endif
#endif
#ifndef TIDE__VALGRIND
#define VALGRIND_STACK_REGISTER(lo, hi) 0u
#define VALGRIND_STACK_DEREGISTER(id) ((void)(id))
#define RUNNING_ON_VALGRIND 0
#endif

/* Stack memory a fiber left (it finished, or was dropped while suspended)
 * still carries the poison of the frames that never returned; clear it
 * before another fiber runs there. */
static inline void tide__asan_unpoison(void *lo, size_t size)
{
#ifdef TIDE__ASAN
    __asan_unpoison_memory_region(lo, size);
#else
    (void)lo;
    (void)size;
#endif
}

#endif /* TIDE_ASYNC_SANITIZE_H */
