// customer_seg.fit_threads and customer_seg.max_memory, which any role may set, and their
// superuser-only ceilings customer_seg.fit_threads_limit and customer_seg.max_memory_limit:
// an ordinary role cannot SET beyond a ceiling, and whatever it has set (a role or database
// default, a ceiling lowered later) is capped by the ceiling when a fit runs.
#include "fit_settings.hpp"

#include "pg.hpp"

extern "C" {
#include "access/xact.h"
#include "utils/guc.h"
}

namespace cseg_pg {

int fit_threads = 2;
int max_memory_kb = 1024 * 1024;  // 1 GB

namespace {

int fit_threads_limit = 8;
int max_memory_limit_kb = 4 * 1024 * 1024;  // 4 GB

// True when a ceiling applies to the current user (it cannot be checked outside a
// transaction, e.g. while the configuration file is read: the ceiling then applies at use).
bool ceiling_applies(GucSource source) {
    return source >= PGC_S_DATABASE && IsTransactionState() && !superuser();
}

// Check hook of customer_seg.fit_threads: an ordinary role may not set more than the ceiling.
bool check_fit_threads(int* newval, void**, GucSource source) {
    if (*newval <= fit_threads_limit || !ceiling_applies(source)) return true;
    GUC_check_errcode(ERRCODE_INSUFFICIENT_PRIVILEGE);
    GUC_check_errdetail("customer_seg.fit_threads_limit is %d; only a superuser may set more.",
                        fit_threads_limit);
    return false;
}

// Check hook of customer_seg.max_memory: the same with customer_seg.max_memory_limit.
bool check_max_memory(int* newval, void**, GucSource source) {
    if (*newval <= max_memory_limit_kb || !ceiling_applies(source)) return true;
    GUC_check_errcode(ERRCODE_INSUFFICIENT_PRIVILEGE);
    GUC_check_errdetail("customer_seg.max_memory_limit is %d kB; only a superuser may set more.",
                        max_memory_limit_kb);
    return false;
}

}  // namespace

// Registers the four settings.
void define_fit_gucs() {
    DefineCustomIntVariable(
        "customer_seg.fit_threads_limit",
        "Most threads customer_seg.fit_threads gives a fit of a role that is not a superuser.",
        "Only superusers may change it.", &fit_threads_limit, 8, 1, 64, PGC_SUSET, 0, nullptr,
        nullptr, nullptr);
    DefineCustomIntVariable(
        "customer_seg.max_memory_limit",
        "Largest customer_seg.max_memory a role that is not a superuser gets.",
        "Only superusers may change it.", &max_memory_limit_kb, 4 * 1024 * 1024, 64,
        MAX_KILOBYTES, PGC_SUSET, GUC_UNIT_KB, nullptr, nullptr, nullptr);
    DefineCustomIntVariable(
        "customer_seg.fit_threads", "Threads one k-means fit may use for its n_init restarts.",
        "The restarts of kmeans_fit (and seg_train) run on up to this many threads of the "
        "backend; the model is bit-identical for every setting. 1 keeps a fit on one core. "
        "Capped by customer_seg.fit_threads_limit for roles that are not superusers.",
        &fit_threads, 2, 1, 64, PGC_USERSET, 0, check_fit_threads, nullptr, nullptr);
    DefineCustomIntVariable(
        "customer_seg.max_memory",
        "Largest amount of memory one customer_seg fit or aggregate may use.",
        "Counts the buffered rows and everything a fit allocates that grows with the rows, "
        "clusters, features or threads, checked before allocating; beyond it the function "
        "fails with an error naming this setting. Capped by customer_seg.max_memory_limit "
        "for roles that are not superusers.",
        &max_memory_kb, 1024 * 1024, 64, MAX_KILOBYTES, PGC_USERSET, GUC_UNIT_KB,
        check_max_memory, nullptr, nullptr);
}

// fit_threads, capped for ordinary roles.
int effective_fit_threads() {
    if (fit_threads <= fit_threads_limit || superuser()) return fit_threads;
    return fit_threads_limit;
}

// max_memory in bytes, capped for ordinary roles.
double memory_budget_bytes() {
    if (max_memory_kb <= max_memory_limit_kb || superuser())
        return static_cast<double>(max_memory_kb) * 1024.0;
    return static_cast<double>(max_memory_limit_kb) * 1024.0;
}

// "64MB" or "64MB, capped by customer_seg.max_memory_limit".
const char* memory_budget_text() {
    const char* value = GetConfigOptionByName("customer_seg.max_memory", nullptr, false);
    if (max_memory_kb <= max_memory_limit_kb || superuser()) return value;
    return psprintf("%s, capped by customer_seg.max_memory_limit = %s", value,
                    GetConfigOptionByName("customer_seg.max_memory_limit", nullptr, false));
}

}  // namespace cseg_pg
