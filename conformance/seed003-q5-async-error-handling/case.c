/* Seed 003 Q5: three ways to handle errors in async code: check the await
 * (log, then pass the error on), catch at the call site (turn the failure
 * into a value), and a wrapper that hands back (error, data). */
#include <string.h>

#include "../case.h"

static const char *ada = "ada";

/* db.users.findById: an async function */
static tide_result_t find_by_id(tide_loop_t *loop, void *id)
{
    return tide_ok((intptr_t)id == 1 ? (void *)ada : NULL);
}

static tide_result_t fetch_user(tide_loop_t *loop, void *id)
{
    tide_promise_t *p;
    void *user;
    tide_error_t *error = NULL;
    MUST(tide_async(loop, find_by_id, id, &p));
    int rc = tide_await(p, &user, &error);
    tide_promise_release(p);
    if (rc == 0 && !user) error = tide_error_new(-ENOENT, "User not found");
    if (error) {
        printf("logged: %s\n", error->message);
        return tide_fail(error); /* throw error */
    }
    return tide_ok(user);
}

static tide_result_t null_on_error(tide_loop_t *loop, void *data, tide_error_t *e) { return tide_ok(NULL); }

/* tryCatch: 0 and *data, or the error's code and *error */
static int try_catch(tide_promise_t *p, void **data, tide_error_t **error)
{
    int rc = tide_await(p, data, error);
    tide_promise_release(p);
    return rc;
}

static tide_result_t main_task(tide_loop_t *loop, void *arg)
{
    tide_promise_t *p, *caught;
    void *user, *found;
    tide_error_t *error;

    MUST(tide_async(loop, fetch_user, (void *)2, &p));
    MUST(tide_promise_catch(p, null_on_error, NULL, &caught));
    tide_promise_release(p);
    MUST(tide_await(caught, &user, NULL));
    tide_promise_release(caught);
    printf("method 2: %s\n", user ? (char *)user : "null");

    MUST(tide_async(loop, fetch_user, (void *)1, &p));
    if (try_catch(p, &found, &error) == 0) {
        printf("method 3: %s\n", (char *)found);
    } else {
        printf("method 3: %s\n", error->message);
        tide_error_release(error);
    }
    MUST(tide_async(loop, fetch_user, (void *)3, &p));
    if (try_catch(p, &found, &error) != 0) {
        printf("method 3: %s\n", error->message);
        tide_error_release(error);
    }
    return tide_ok(NULL);
}

int main(void)
{
    tide_loop_t *loop;
    loop = case_loop();
    MUST(tide_async(loop, main_task, NULL, NULL));
    return case_finish(loop);
}
