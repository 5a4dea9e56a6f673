// Loans of a leader's partial state from its serialize to its deserialize function.
#include "leader_state.hpp"

extern "C" {
#include "access/parallel.h"
#include "nodes/execnodes.h"
}

namespace cseg_pg {

namespace {

// One loan; allocated in the lent state's context, so it goes with it.
struct Loan {
    int64 token;
    RowBuffer* state;
    Loan* next;
    MemoryContextCallback on_reset;
};

Loan* loans = nullptr;   // open loans of this process
int64 last_token = 0;    // tokens are never reused within a process

// Unlinks `loan` if it is still open.
void close_loan(Loan* loan) {
    for (Loan** p = &loans; *p != nullptr; p = &(*p)->next) {
        if (*p == loan) {
            *p = loan->next;
            return;
        }
    }
}

// Memory context reset/delete callback: the lent state is gone, so is its loan.
void loan_context_reset(void* arg) { close_loan(static_cast<Loan*>(arg)); }

}  // namespace

// Leader, plain Partial Aggregate.
bool leader_state_lendable(FunctionCallInfo fcinfo) {
    if (IsParallelWorker()) return false;
    if (fcinfo->context == nullptr || !IsA(fcinfo->context, AggState)) return false;
    return reinterpret_cast<AggState*>(fcinfo->context)->aggstrategy == AGG_PLAIN;
}

// Records the loan and ties its end to the state's memory context.
int64 leader_state_lend(RowBuffer* st) {
    MemoryContext cxt = GetMemoryChunkContext(st);
    Loan* loan = static_cast<Loan*>(MemoryContextAllocZero(cxt, sizeof(Loan)));
    loan->token = ++last_token;
    loan->state = st;
    loan->on_reset.func = loan_context_reset;
    loan->on_reset.arg = loan;
    MemoryContextRegisterResetCallback(cxt, &loan->on_reset);
    loan->next = loans;
    loans = loan;
    return loan->token;
}

// Finds and closes the loan.
RowBuffer* leader_state_redeem(int64 token) {
    for (Loan* loan = loans; loan != nullptr; loan = loan->next) {
        if (loan->token == token) {
            close_loan(loan);
            return loan->state;
        }
    }
    return nullptr;
}

}  // namespace cseg_pg
