// tests/cxx/test_headers.cc - the public headers compile as C++ (pedantic,
// warnings as errors) and link: a C++ program can use tide directly.
#include <cstdio>

#include <tide.h>

static tide_result_t twice(tide_loop_t *, void *data, void *value)
{
    *static_cast<int *>(data) = 2 * static_cast<int>(reinterpret_cast<intptr_t>(value));
    return tide_ok(nullptr);
}

int main()
{
    tide_loop_t *loop;
    if (tide_loop_new(&loop) != 0) return 1;
    tide_promise_t *p;
    int seen = 0;
    if (tide_promise_resolved(loop, reinterpret_cast<void *>(21), &p) != 0) return 1;
    if (tide_promise_then(p, twice, nullptr, &seen, nullptr) != 0) return 1;
    tide_promise_release(p);
    if (tide_run(loop, TIDE_RUN_DEFAULT) != 0 || seen != 42) return 1;
    std::printf("C++ sees the headers\n");
    return tide_loop_close(loop) == 0 ? 0 : 1;
}
