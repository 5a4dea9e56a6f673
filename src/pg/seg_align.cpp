// seg_align(model segmodel, reference segmodel) -> segmodel: the model with its clusters
// renumbered to match the reference's (Hungarian matching of centroids; src/core/align.hpp).
#include "align.hpp"
#include "datum_codec.hpp"
#include "guard.hpp"

extern "C" {

PG_FUNCTION_INFO_V1(seg_align);

// Decodes both models, aligns the first to the second, encodes the result.
Datum seg_align(PG_FUNCTION_ARGS) {
    struct varlena* model = PG_DETOAST_DATUM(PG_GETARG_DATUM(0));
    struct varlena* reference = PG_DETOAST_DATUM(PG_GETARG_DATUM(1));
    struct varlena* out = cseg_pg::guarded([&] {
        const cseg::Interrupt interrupt(cseg_pg::interrupt_pending);
        const cseg::Model m = cseg_pg::model_from_varlena(model, cseg::ErrorKind::InvalidBinary);
        const cseg::Model r =
            cseg_pg::model_from_varlena(reference, cseg::ErrorKind::InvalidBinary);
        return cseg_pg::model_to_varlena(cseg::align_model(m, r, interrupt));
    });
    PG_RETURN_POINTER(out);
}

}  // extern "C"
