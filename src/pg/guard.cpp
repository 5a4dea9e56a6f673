// Exception-to-SQLSTATE mapping and the interrupt/allocation hooks used inside guards.
#include "guard.hpp"

#include <cstdio>
#include <cstring>
#include <new>
#include <stdexcept>

#include "errors.hpp"

namespace cseg_pg {

namespace {

// SQLSTATE for a core error kind.
int sqlstate_for(cseg::ErrorKind kind) {
    switch (kind) {
        case cseg::ErrorKind::InvalidParameter: return ERRCODE_INVALID_PARAMETER_VALUE;
        case cseg::ErrorKind::InvalidText: return ERRCODE_INVALID_TEXT_REPRESENTATION;
        case cseg::ErrorKind::InvalidBinary: return ERRCODE_INVALID_BINARY_REPRESENTATION;
        case cseg::ErrorKind::InvalidEncoding: return ERRCODE_CHARACTER_NOT_IN_REPERTOIRE;
        case cseg::ErrorKind::ArrayShape: return ERRCODE_ARRAY_SUBSCRIPT_ERROR;
        case cseg::ErrorKind::NullValue: return ERRCODE_NULL_VALUE_NOT_ALLOWED;
        case cseg::ErrorKind::DataException: return ERRCODE_DATA_EXCEPTION;
        case cseg::ErrorKind::ProgramLimit: return ERRCODE_PROGRAM_LIMIT_EXCEEDED;
        case cseg::ErrorKind::OutOfMemory: return ERRCODE_OUT_OF_MEMORY;
        case cseg::ErrorKind::Internal: return ERRCODE_INTERNAL_ERROR;
    }
    return ERRCODE_INTERNAL_ERROR;
}

// Copies a C string into a fixed buffer, always terminated.
void copy_text(char* dst, size_t cap, const char* src) {
    std::snprintf(dst, cap, "%s", src != nullptr ? src : "");
}

}  // namespace

// Classifies the in-flight exception and copies its texts out.
void capture_current_exception(PendingError* err) noexcept {
    err->set = true;
    err->message[0] = err->detail[0] = err->hint[0] = '\0';
    try {
        throw;
    } catch (const cseg::Cancelled&) {
        err->cancelled = true;
        err->sqlstate = ERRCODE_QUERY_CANCELED;
        copy_text(err->message, sizeof err->message, "customer_seg: computation cancelled");
    } catch (const cseg::Error& e) {
        err->sqlstate = sqlstate_for(e.kind());
        copy_text(err->message, sizeof err->message, e.what());
        copy_text(err->detail, sizeof err->detail, e.detail().c_str());
        copy_text(err->hint, sizeof err->hint, e.hint().c_str());
    } catch (const std::bad_alloc&) {
        err->sqlstate = ERRCODE_OUT_OF_MEMORY;
        copy_text(err->message, sizeof err->message, "out of memory in customer_seg");
    } catch (const std::invalid_argument& e) {
        err->sqlstate = ERRCODE_INVALID_PARAMETER_VALUE;
        copy_text(err->message, sizeof err->message, e.what());
    } catch (const std::length_error& e) {
        err->sqlstate = ERRCODE_PROGRAM_LIMIT_EXCEEDED;
        copy_text(err->message, sizeof err->message, e.what());
    } catch (const std::out_of_range& e) {
        err->sqlstate = ERRCODE_PROGRAM_LIMIT_EXCEEDED;
        copy_text(err->message, sizeof err->message, e.what());
    } catch (const std::exception& e) {
        err->sqlstate = ERRCODE_INTERNAL_ERROR;
        copy_text(err->message, sizeof err->message, e.what());
    } catch (...) {
        err->sqlstate = ERRCODE_INTERNAL_ERROR;
        copy_text(err->message, sizeof err->message, "unknown C++ exception in customer_seg");
    }
}

// Raises the captured error; a cancel is handed to PostgreSQL's own interrupt handling so
// the user sees the usual "canceling statement due to ..." message.
void raise_pending(const PendingError* err) {
    if (err->cancelled) {
        CHECK_FOR_INTERRUPTS();
        /* The flag was cleared under us (e.g. holdoff): still stop the statement. */
        ereport(ERROR, (errcode(ERRCODE_QUERY_CANCELED), errmsg("%s", err->message)));
    }
    ereport(ERROR, (errcode(err->sqlstate), errmsg("%s", err->message),
                    err->detail[0] ? errdetail("%s", err->detail) : 0,
                    err->hint[0] ? errhint("%s", err->hint) : 0));
    pg_unreachable();
}

// Reads PostgreSQL's pending-interrupt flags without processing them.
bool interrupt_pending() {
    return InterruptPending && (QueryCancelPending || ProcDiePending);
}

// Non-throwing-into-longjmp palloc: NULL from PostgreSQL becomes std::bad_alloc.
void* alloc_nothrow(size_t size) {
    if (size == 0) size = 1;
    if (size > MaxAllocHugeSize) throw std::bad_alloc();
    void* p = palloc_extended(size, MCXT_ALLOC_HUGE | MCXT_ALLOC_NO_OOM);
    if (p == nullptr) throw std::bad_alloc();
    return p;
}

}  // namespace cseg_pg
