// Module entry: magic block and settings.
#include "fit_settings.hpp"
#include "model_store.hpp"
#include "pg.hpp"

extern "C" {

PG_MODULE_MAGIC;

void _PG_init(void);

// Called when the library is loaded: defines the customer_seg.* settings.
void _PG_init(void) {
    cseg_pg::define_fit_gucs();
    cseg_pg::define_model_store_guc();
}

}  // extern "C"
