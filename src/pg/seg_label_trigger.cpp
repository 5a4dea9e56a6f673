// seg_label_trigger(): a BEFORE INSERT OR UPDATE ... FOR EACH ROW trigger that sets a segment
// column from the active version of a named model in the registry.
//
//   EXECUTE FUNCTION seg_label_trigger('model_name', 'segment_column', 'feature_col', ...
//                                      [, 'categorical=column_name', ...]
//                                      [, 'version_column=column_name'])
//
// Feature columns are the model's numbers in order; 'categorical=' arguments name the columns
// of a model whose kind has categories (k-prototypes), in the model's order, read as ::text
// reads them (seg_train's categorical_features are read the same way).
//
// Per trigger and statement the arguments and column types are checked (a generated feature
// column is refused: BEFORE triggers see it as NULL). Per row the active model is the one the
// snapshot the row is written under sees, read with the current user's rights
// (registry_active_model reuses the last answer only while its LookupKey -- transaction, user,
// invalidations, snapshot contents -- is unchanged); its decoding is kept across statements.
// Then: deform the row once, convert the features, impute and scale (model_point_values),
// look the categories up (model_category_codes),
// the model kind's label (model_cache_assign), and form the row with the segment (and
// version), each passing the column's domain checks as an ordinary assignment does.
//
// The per-trigger states live in a backend-local hash table; a relcache invalidation of the
// trigger's table (which DROP TRIGGER, DROP TABLE and every ALTER send) marks them stale, and
// the next firing of any label trigger frees the stale ones, so create-fire-drop cycles leave
// nothing behind.
#include <cmath>
#include <cstring>
#include <limits>

#include "distance.hpp"
#include "feature_order.hpp"
#include "guard.hpp"
#include "model_point.hpp"
#include "numeric_feature.hpp"
#include "registry_lookup.hpp"

extern "C" {
#include "access/xact.h"
#include "catalog/pg_language.h"
#include "catalog/pg_proc.h"
#include "catalog/pg_trigger.h"
#include "commands/trigger.h"
#include "executor/spi.h"
#include "parser/parse_coerce.h"
#include "parser/scansup.h"
#include "storage/proc.h"
#include "utils/guc.h"
#include "utils/hsearch.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/regproc.h"
#include "utils/syscache.h"
#include "utils/rel.h"
}

namespace {

constexpr const char* kFn = "seg_label_trigger";
constexpr const char* kVersionOption = "version_column=";
constexpr const char* kCategoricalOption = "categorical=";

// An identity for "this statement": the top transaction's local id and the command id. The
// column set-up is redone whenever it changes (the model is checked per row, see above).
struct StatementKey {
    LocalTransactionId lxid;
    CommandId cid;
};

// Everything one trigger needs, kept per trigger OID in a backend-local hash table. Plain
// data only; arrays live in `mcxt`.
struct LabelTrigger {
    Oid tgoid;   // hash key
    Oid relid;   // the trigger's table (its relcache invalidations mark the entry stale)
    bool stale;  // freed at the next firing of a label trigger
    bool valid;  // the fields below were set up for `stmt`
    StatementKey stmt;
    MemoryContext mcxt;
    int32 capacity;  // entries allocated in the arrays below
    int32 n_features;
    AttrNumber* feature_attnums;
    Oid* feature_types;  // base types
    int16* feature_args;  // the trigger argument naming each feature column
    // The model whose feature names were last checked against feature_names (its cache and
    // generation), so the check runs once per model, not per row.
    const cseg_pg::ModelCache* order_checked;
    uint64 order_checked_generation;
    int32 n_categorical;
    AttrNumber* categorical_attnums;
    // How each is read, as ::text reads it: 't' its bytes (text, varchar, citext: binary
    // casts), 'f' through its cast function to text (char(n) without its padding, boolean as
    // true/false), 'o' through its output function (enums and the other I/O casts).
    char* categorical_read;
    // Whether a category is read through an output function whose text depends on the
    // session's display settings (a date, a float, an interval...): then each row reads its
    // categories under seg_train's pinned ones (pin_category_text_settings).
    bool categories_pin_settings;
    FmgrInfo* categorical_fn;  // the function of 'f' and 'o', in casts_mcxt
    Oid* categorical_collation;
    MemoryContext casts_mcxt;  // reset at every set-up of the columns
    const char** categories;          // one row's category texts (n_categorical)
    int32* category_lengths;          // their byte lengths, -1 for NULL
    AttrNumber segment_attnum;
    Oid segment_type;           // base type
    Oid segment_domain;         // the column's type when it is a domain, else InvalidOid
    AttrNumber version_attnum;  // InvalidAttrNumber when the version is not recorded
    Oid version_type;
    Oid version_domain;
    Oid schema;        // the extension's schema (where seg_models is)
    char* model_name;  // the name `active` was looked up for
    int32 natts;       // entries allocated in values / nulls
    Datum* values;     // one row, deformed
    bool* nulls;
    cseg_pg::ActiveModel active;
};

HTAB* triggers = nullptr;
// Label triggers running in this backend right now (one inside another only through user
// code: a domain CHECK or a row-level security policy that writes); stale states are freed
// only at depth 0, so no running firing loses its state. Reset at transaction end.
int fire_depth = 0;
bool any_stale = false;

// Relcache invalidation callback: marks the states of the table's triggers stale (all of
// them for relid = InvalidOid). Only marks: callbacks run inside lock acquisition, possibly
// in the middle of a firing.
void mark_stale(Datum, Oid relid) {
    if (triggers == nullptr) return;
    HASH_SEQ_STATUS scan;
    hash_seq_init(&scan, triggers);
    while (auto* st = static_cast<LabelTrigger*>(hash_seq_search(&scan)))
        if (!OidIsValid(relid) || st->relid == relid) {
            st->stale = true;
            any_stale = true;
        }
}

// Transaction callback: an error may have left firings unfinished.
void reset_depth(XactEvent event, void*) {
    if (event == XACT_EVENT_COMMIT || event == XACT_EVENT_ABORT ||
        event == XACT_EVENT_PARALLEL_COMMIT || event == XACT_EVENT_PARALLEL_ABORT ||
        event == XACT_EVENT_PREPARE)
        fire_depth = 0;
}

// The backend's table of trigger states, created (with its callbacks) on first use.
HTAB* trigger_table() {
    if (triggers != nullptr) return triggers;
    HASHCTL ctl;
    memset(&ctl, 0, sizeof ctl);
    ctl.keysize = sizeof(Oid);
    ctl.entrysize = sizeof(LabelTrigger);
    ctl.hcxt = TopMemoryContext;
    triggers =
        hash_create("customer_seg label triggers", 16, &ctl, HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
    CacheRegisterRelcacheCallback(mark_stale, (Datum)0);
    RegisterXactCallback(reset_depth, nullptr);
    return triggers;
}

// Frees the states marked stale (their triggers may be gone); they are rebuilt on demand.
void free_stale() {
    if (!any_stale || fire_depth > 0) return;
    any_stale = false;
    HASH_SEQ_STATUS scan;
    hash_seq_init(&scan, triggers);
    while (auto* st = static_cast<LabelTrigger*>(hash_seq_search(&scan))) {
        if (!st->stale) continue;
        if (st->mcxt != nullptr) MemoryContextDelete(st->mcxt);
        hash_search(triggers, &st->tgoid, HASH_REMOVE, nullptr);
    }
}

// The current statement's key.
StatementKey current_statement() { return StatementKey{MyProc->lxid, GetCurrentCommandId(false)}; }

// "table name" for messages.
const char* table_name(Relation rel) { return RelationGetRelationName(rel); }

// True for the integer types a segment or version column may have.
bool is_integer_type(Oid t) { return t == INT2OID || t == INT4OID || t == INT8OID; }

// True for the numeric types a feature column may have (all cast to float8).
bool is_feature_type(Oid t) {
    return t == INT2OID || t == INT4OID || t == INT8OID || t == FLOAT4OID || t == FLOAT8OID ||
           t == NUMERICOID;
}

// Resolves a column name of the trigger's table; errors when missing or a system column (a
// name longer than 63 bytes gets a hint when the table has it cut, as CREATE TABLE cut it).
AttrNumber column(Relation rel, const char* name, const char* role, const Trigger* tg) {
    const int attnum = SPI_fnumber(RelationGetDescr(rel), name);
    if (attnum != SPI_ERROR_NOATTRIBUTE && attnum > 0) return static_cast<AttrNumber>(attnum);
    /* The name as CREATE TABLE would have cut it (truncate_identifier, without its NOTICE). */
    const int len = static_cast<int>(strlen(name));
    char* cut = pstrdup(name);
    truncate_identifier(cut, len, false);
    const bool was_cut = len >= NAMEDATALEN && SPI_fnumber(RelationGetDescr(rel), cut) > 0;
    ereport(ERROR, (errcode(ERRCODE_UNDEFINED_COLUMN),
                    errmsg("%s: %s column \"%s\" does not exist in table \"%s\"", kFn, role,
                           name, table_name(rel)),
                    errdetail("Trigger \"%s\" was created with this argument.", tg->tgname),
                    was_cut ? errhint("PostgreSQL cut the column's name to 63 bytes when it made "
                                      "the table: name it \"%s\".",
                                      cut)
                            : 0));
    return InvalidAttrNumber;
}

// The base type (domains resolved) of a column.
Oid column_type(Relation rel, AttrNumber attnum) {
    return getBaseType(TupleDescAttr(RelationGetDescr(rel), attnum - 1)->atttypid);
}

// The column's type when it is a domain (its checks apply to what the trigger writes).
Oid column_domain(Relation rel, AttrNumber attnum) {
    const Oid t = TupleDescAttr(RelationGetDescr(rel), attnum - 1)->atttypid;
    return getBaseType(t) != t ? t : InvalidOid;
}

// Refuses a generated column: PostgreSQL computes stored generated columns after BEFORE
// triggers, so the trigger would read NULL (or, on UPDATE, the old value) from it, and
// anything it wrote into one would be overwritten.
void refuse_generated(Relation rel, AttrNumber attnum, const char* role, const Trigger* tg) {
    const Form_pg_attribute att = TupleDescAttr(RelationGetDescr(rel), attnum - 1);
    if (att->attgenerated == '\0') return;
    ereport(ERROR,
            (errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
             errmsg("%s: %s column \"%s\" of table \"%s\" is a generated column", kFn, role,
                    NameStr(att->attname), table_name(rel)),
             errdetail("PostgreSQL computes generated columns after BEFORE triggers run, so "
                       "trigger \"%s\" cannot see or set its value.",
                       tg->tgname),
             errhint("List the columns the generated column is computed from and train the "
                     "model on them, or label after the write with UPDATE ... SET segment = "
                     "seg_assign(...).")));
}

// Resolves a column the trigger writes a whole number into (`role`: "segment", "version"):
// it exists, is not generated and is smallint, integer or bigint (or a domain over one);
// its base type in *type, its domain (or InvalidOid) in *domain.
AttrNumber integer_column(Relation rel, const char* name, const char* role, const Trigger* tg,
                          Oid* type, Oid* domain) {
    const AttrNumber a = column(rel, name, role, tg);
    refuse_generated(rel, a, role, tg);
    *type = column_type(rel, a);
    *domain = column_domain(rel, a);
    if (!is_integer_type(*type))
        ereport(ERROR, (errcode(ERRCODE_DATATYPE_MISMATCH),
                        errmsg("%s: %s column \"%s\" must be of type smallint, integer or "
                               "bigint, not %s",
                               kFn, role, name, format_type_be(*type))));
    return a;
}

// Refuses an input column (`role`: "a feature", "a categorical column") that is also the
// segment or version column the trigger writes.
void refuse_output_columns(Relation rel, const LabelTrigger* st, const AttrNumber* attnums,
                           int32 n, const char* role) {
    for (int32 j = 0; j < n; ++j)
        if (attnums[j] == st->segment_attnum || attnums[j] == st->version_attnum)
            ereport(ERROR,
                    (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
                     errmsg("%s: column \"%s\" cannot be both %s and the segment or version "
                            "column",
                            kFn,
                            NameStr(TupleDescAttr(RelationGetDescr(rel), attnums[j] - 1)->attname),
                            role)));
}

// Pins the settings that change a value's text (a date's, a float's, an interval's, a bytea's)
// to the ones seg_train reads its categorical_features under (its SET clauses: DateStyle ISO
// keeping the session's field order, IntervalStyle postgres, extra_float_digits 1,
// bytea_output hex), so a category reads the same in every session; returns the GUC nest
// level to pop with AtEOXact_GUC.
int pin_category_text_settings() {
    const int level = NewGUCNestLevel();
    static constexpr const char* kSettings[][2] = {{"datestyle", "ISO"},
                                                   {"intervalstyle", "postgres"},
                                                   {"extra_float_digits", "1"},
                                                   {"bytea_output", "hex"}};
    for (const auto& g : kSettings)
        (void)set_config_option(g[0], g[1], PGC_USERSET, PGC_S_SESSION, GUC_ACTION_SAVE, true, 0,
                                false);
    return level;
}

// Sets up how the trigger reads categorical column `a` (the j-th) as ::text reads it: its
// cast to text, else its output function. A cast function in another language than C (a
// user's PL function, which could write and fire this trigger) is refused.
void setup_category_read(Relation rel, AttrNumber a, const char* name, LabelTrigger* st,
                         int32 j) {
    const Oid t = column_type(rel, a);
    Oid fn = InvalidOid;
    const CoercionPathType path = find_coercion_pathway(TEXTOID, t, COERCION_EXPLICIT, &fn);
    st->categorical_collation[j] = TupleDescAttr(RelationGetDescr(rel), a - 1)->attcollation;
    if (path == COERCION_PATH_RELABELTYPE) {
        st->categorical_read[j] = 't';
        return;
    }
    if (path == COERCION_PATH_FUNC) {
        HeapTuple proc = SearchSysCache1(PROCOID, ObjectIdGetDatum(fn));
        if (!HeapTupleIsValid(proc)) elog(ERROR, "cache lookup failed for function %u", fn);
        const Oid lang = reinterpret_cast<Form_pg_proc>(GETSTRUCT(proc))->prolang;
        ReleaseSysCache(proc);
        if (lang != INTERNALlanguageId && lang != ClanguageId)
            ereport(ERROR, (errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
                            errmsg("%s: categorical column \"%s\" has type %s, whose cast to "
                                   "text is function %s in language %s",
                                   kFn, name, format_type_be(t), format_procedure(fn),
                                   get_language_name(lang, false)),
                            errhint("Read the category through a column of type text.")));
        st->categorical_read[j] = 'f';
    } else {
        bool varlena = false;
        getTypeOutputInfo(t, &fn, &varlena);
        st->categorical_read[j] = 'o';
        /* Enums and integers print the same under every setting. */
        const Oid base = getBaseType(t);
        if (!type_is_enum(base) && !is_integer_type(base))
            st->categories_pin_settings = true;
    }
    fmgr_info_cxt(fn, &st->categorical_fn[j], st->casts_mcxt);
}

// Refuses a column listed both as a feature and as a categorical column (seg_train refuses
// the same): it would count as a number and as a category.
void refuse_both_kinds(Relation rel, const LabelTrigger* st) {
    for (int32 j = 0; j < st->n_categorical; ++j)
        for (int32 i = 0; i < st->n_features; ++i)
            if (st->categorical_attnums[j] == st->feature_attnums[i])
                ereport(ERROR,
                        (errcode(ERRCODE_DUPLICATE_COLUMN),
                         errmsg("%s: column \"%s\" is both a feature and a categorical column",
                                kFn,
                                NameStr(TupleDescAttr(RelationGetDescr(rel),
                                                      st->feature_attnums[i] - 1)->attname)),
                         errdetail("A column is either a number or a category of "
                                   "k-prototypes.")));
}

// Refuses a trigger that fires on UPDATE OF a column list missing one of its input columns:
// an UPDATE of that column alone would leave the row's segment stale (in a probe, 150 of 200
// rows after UPDATE ... SET score = 100 - score under UPDATE OF age).
void refuse_partial_update_of(Relation rel, const Trigger* tg, const AttrNumber* attnums,
                              int32 n) {
    if (!TRIGGER_FOR_UPDATE(tg->tgtype) || tg->tgnattr == 0) return;
    for (int32 j = 0; j < n; ++j) {
        bool listed = false;
        for (int16 i = 0; i < tg->tgnattr && !listed; ++i) listed = tg->tgattr[i] == attnums[j];
        if (listed) continue;
        ereport(ERROR,
                (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
                 errmsg("%s: trigger \"%s\" fires on UPDATE OF a column list without input "
                        "column \"%s\"",
                        kFn, tg->tgname,
                        NameStr(TupleDescAttr(RelationGetDescr(rel), attnums[j] - 1)->attname)),
                 errdetail("An UPDATE of that column alone would leave the row's segment "
                           "stale."),
                 errhint("Recreate the trigger as BEFORE INSERT OR UPDATE, or list every "
                         "feature and categorical column after UPDATE OF.")));
    }
}

// Checks how and where the trigger fires.
void check_firing(const TriggerData* td) {
    const TriggerEvent ev = td->tg_event;
    if (!TRIGGER_FIRED_BEFORE(ev) || !TRIGGER_FIRED_FOR_ROW(ev) ||
        !(TRIGGER_FIRED_BY_INSERT(ev) || TRIGGER_FIRED_BY_UPDATE(ev)))
        ereport(ERROR, (errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
                        errmsg("%s must be fired BEFORE INSERT OR UPDATE ... FOR EACH ROW", kFn),
                        errdetail("Trigger \"%s\" on table \"%s\" fires otherwise.",
                                  td->tg_trigger->tgname, table_name(td->tg_relation))));
}

// Parses the trigger arguments and checks every column; fills the column fields of st.
void setup_columns(LabelTrigger* st, const TriggerData* td) {
    const Trigger* tg = td->tg_trigger;
    Relation rel = td->tg_relation;
    if (tg->tgnargs < 3)
        ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
                        errmsg("%s needs at least 3 arguments: model name, segment column, feature "
                               "column(s)",
                               kFn),
                        errdetail("Trigger \"%s\" on table \"%s\" has %d.", tg->tgname,
                                  table_name(rel), tg->tgnargs),
                        errhint("EXECUTE FUNCTION seg_label_trigger('model', 'segment', 'age', "
                                "'income', ...[, 'version_column=segment_version'])")));
    if (tg->tgargs[0][0] == '\0')
        ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
                        errmsg("%s: the model name (first argument) must not be empty", kFn)));
    if (st->capacity < tg->tgnargs) {
        if (st->feature_attnums != nullptr) pfree(st->feature_attnums);
        if (st->feature_types != nullptr) pfree(st->feature_types);
        if (st->feature_args != nullptr) pfree(st->feature_args);
        if (st->categorical_attnums != nullptr) pfree(st->categorical_attnums);
        if (st->categorical_read != nullptr) pfree(st->categorical_read);
        if (st->categorical_collation != nullptr) pfree(st->categorical_collation);
        if (st->categories != nullptr) pfree(st->categories);
        if (st->category_lengths != nullptr) pfree(st->category_lengths);
        st->feature_attnums = static_cast<AttrNumber*>(
            MemoryContextAlloc(st->mcxt, sizeof(AttrNumber) * tg->tgnargs));
        st->feature_types =
            static_cast<Oid*>(MemoryContextAlloc(st->mcxt, sizeof(Oid) * tg->tgnargs));
        st->feature_args =
            static_cast<int16*>(MemoryContextAlloc(st->mcxt, sizeof(int16) * tg->tgnargs));
        st->categorical_attnums = static_cast<AttrNumber*>(
            MemoryContextAlloc(st->mcxt, sizeof(AttrNumber) * tg->tgnargs));
        st->categorical_read =
            static_cast<char*>(MemoryContextAlloc(st->mcxt, sizeof(char) * tg->tgnargs));
        st->categorical_collation =
            static_cast<Oid*>(MemoryContextAlloc(st->mcxt, sizeof(Oid) * tg->tgnargs));
        st->categories =
            static_cast<const char**>(MemoryContextAlloc(st->mcxt, sizeof(char*) * tg->tgnargs));
        st->category_lengths =
            static_cast<int32*>(MemoryContextAlloc(st->mcxt, sizeof(int32) * tg->tgnargs));
        st->capacity = tg->tgnargs;
    }
    st->segment_attnum = integer_column(rel, tg->tgargs[1], "segment", tg, &st->segment_type,
                                        &st->segment_domain);
    st->version_attnum = InvalidAttrNumber;
    st->n_features = 0;
    st->order_checked = nullptr;
    st->n_categorical = 0;
    st->categories_pin_settings = false;
    /* The cast functions of the previous set-up go; this one's live until the next. */
    if (st->casts_mcxt == nullptr)
        st->casts_mcxt = AllocSetContextCreate(st->mcxt, "customer_seg label trigger casts",
                                               ALLOCSET_SMALL_SIZES);
    MemoryContextReset(st->casts_mcxt);
    st->categorical_fn = static_cast<FmgrInfo*>(
        MemoryContextAllocZero(st->casts_mcxt, sizeof(FmgrInfo) * tg->tgnargs));
    const size_t option_len = strlen(kVersionOption);
    const size_t categorical_len = strlen(kCategoricalOption);
    for (int i = 2; i < tg->tgnargs; ++i) {
        const char* arg = tg->tgargs[i];
        if (strncmp(arg, kCategoricalOption, categorical_len) == 0) {
            const char* name = arg + categorical_len;
            const AttrNumber a = column(rel, name, "categorical", tg);
            refuse_generated(rel, a, "categorical", tg);
            setup_category_read(rel, a, name, st, st->n_categorical);
            st->categorical_attnums[st->n_categorical++] = a;
            continue;
        }
        if (strncmp(arg, kVersionOption, option_len) == 0) {
            const char* name = arg + option_len;
            if (st->version_attnum != InvalidAttrNumber)
                ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
                                errmsg("%s: version_column is given twice", kFn)));
            st->version_attnum = integer_column(rel, name, "version", tg, &st->version_type,
                                                &st->version_domain);
            continue;
        }
        const AttrNumber a = column(rel, arg, "feature", tg);
        refuse_generated(rel, a, "feature", tg);
        const Oid t = column_type(rel, a);
        if (!is_feature_type(t))
            ereport(ERROR,
                    (errcode(ERRCODE_DATATYPE_MISMATCH),
                     errmsg("%s: feature column \"%s\" has type %s", kFn, arg, format_type_be(t)),
                     errdetail("Feature columns must be smallint, integer, bigint, real, double "
                               "precision or numeric.")));
        st->feature_attnums[st->n_features] = a;
        st->feature_types[st->n_features] = t;
        st->feature_args[st->n_features] = int16(i);
        st->n_features++;
    }
    if (st->n_features == 0)
        ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
                        errmsg("%s: no feature columns given", kFn)));
    refuse_both_kinds(rel, st);
    refuse_output_columns(rel, st, st->categorical_attnums, st->n_categorical,
                          "a categorical column");
    refuse_output_columns(rel, st, st->feature_attnums, st->n_features, "a feature");
    refuse_partial_update_of(rel, tg, st->feature_attnums, st->n_features);
    refuse_partial_update_of(rel, tg, st->categorical_attnums, st->n_categorical);
    if (st->version_attnum == st->segment_attnum)
        ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
                        errmsg("%s: the segment and version columns must differ", kFn)));
}

// Refuses a model that names the trigger's feature columns in another order (a retrain on
// reordered columns): labelling would read each column as another feature. Once per model.
void check_feature_order(LabelTrigger* st, const TriggerData* td) {
    const cseg_pg::ModelCache* cache = st->active.model;
    if (st->order_checked == cache && st->order_checked_generation == cache->generation) return;
    const Trigger* tg = td->tg_trigger;
    const char** columns =
        static_cast<const char**>(palloc(sizeof(const char*) * size_t(st->n_features)));
    for (int32 i = 0; i < st->n_features; ++i) columns[i] = tg->tgargs[st->feature_args[i]];
    int32 at = -1;
    const int32 column = cseg_pg::guarded([&] {
        return cseg::misplaced_feature_name(cache->view, columns, st->n_features, &at);
    });
    if (column >= 0)
        ereport(ERROR,
                (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
                 errmsg("%s: trigger \"%s\" passes column \"%s\" as feature %d, but model \"%s\" "
                        "(version %d) has \"%s\" as feature %d",
                        kFn, tg->tgname, columns[column], column + 1, tg->tgargs[0],
                        st->active.version, columns[column], at + 1),
                 errdetail("The model was trained on the columns in another order; labelling "
                           "would read each column as another feature."),
                 errhint("Recreate the trigger with the feature columns in the model's order, "
                         "or retrain the model on the trigger's order.")));
    pfree(columns);
    st->order_checked = cache;
    st->order_checked_generation = cache->generation;
}

// The active model as the row's snapshot and user see it, checked against the trigger's
// columns (cheap when the registry answer is reused).
void current_model(LabelTrigger* st, const TriggerData* td) {
    const char* name = td->tg_trigger->tgargs[0];
    if (st->model_name == nullptr || strcmp(st->model_name, name) != 0) {
        /* CREATE OR REPLACE TRIGGER may have named another model: forget the old one. */
        if (st->model_name != nullptr) pfree(st->model_name);
        st->model_name = MemoryContextStrdup(st->mcxt, name);
        cseg_pg::registry_forget(&st->active);
    }
    cseg_pg::registry_active_model(st->schema, name, st->mcxt, &st->active, kFn);
    const cseg::ModelView& m = st->active.model->view;
    /* Categorical columns label by numbers and categories, else by numbers alone. */
    const cseg::ModelOperation op = st->n_categorical > 0 ? cseg::ModelOperation::AssignMixed
                                                          : cseg::ModelOperation::AssignNumbers;
    if (!st->active.model->kind->takes(op)) {
        char kinds[256];
        cseg_pg::guarded([&] {
            snprintf(kinds, sizeof kinds, "%s", cseg::kinds_taking(op).c_str());
        });
        ereport(ERROR,
                (errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
                 errmsg("%s: model \"%s\" (version %d) is a %s model; a trigger %s labels rows "
                        "with %s models",
                        kFn, name, st->active.version, st->active.model->kind->name(),
                        st->n_categorical > 0 ? "with categorical columns"
                                              : "without categorical columns",
                        kinds),
                 st->active.model->kind->categorical()
                     ? errhint("Name the model's categorical columns as 'categorical=column' "
                               "arguments of trigger \"%s\".",
                               td->tg_trigger->tgname)
                     : errhint("Trigger \"%s\" lists categorical columns: the model has none.",
                               td->tg_trigger->tgname)));
    }
    if (m.cat_dims != st->n_categorical)
        ereport(ERROR,
                (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
                 errmsg("%s: model \"%s\" (version %d) has %d categorical features but trigger "
                        "\"%s\" lists %d categorical columns",
                        kFn, name, st->active.version, m.cat_dims, td->tg_trigger->tgname,
                        st->n_categorical)));
    if (m.dims != st->n_features)
        ereport(ERROR,
                (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
                 errmsg("%s: model \"%s\" (version %d) has %d features but trigger \"%s\" lists "
                        "%d feature columns",
                        kFn, name, st->active.version, m.dims, td->tg_trigger->tgname,
                        st->n_features)));
    check_feature_order(st, td);
    if (st->segment_type == INT2OID && m.k > PG_INT16_MAX)
        ereport(ERROR, (errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
                        errmsg("%s: model \"%s\" has %d segments, too many for a smallint column",
                               kFn, name, m.k)));
    if (st->version_attnum != InvalidAttrNumber && st->version_type == INT2OID &&
        st->active.version > PG_INT16_MAX)
        ereport(ERROR, (errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
                        errmsg("%s: version %d does not fit the smallint version column", kFn,
                               st->active.version)));
}

// The trigger's state, its columns set up for the current statement and its model current
// for this row. Found by trigger OID every row (never kept in fn_extra: a stale state may be
// freed between two rows).
LabelTrigger* trigger_state(FunctionCallInfo fcinfo, const TriggerData* td) {
    const Oid tgoid = td->tg_trigger->tgoid;
    const StatementKey now = current_statement();
    bool found = false;
    auto* st = static_cast<LabelTrigger*>(hash_search(trigger_table(), &tgoid, HASH_ENTER, &found));
    /* A new entry: zero everything but the key, then give it its own memory. */
    if (!found) {
        memset(reinterpret_cast<char*>(st) + sizeof(Oid), 0, sizeof(LabelTrigger) - sizeof(Oid));
        st->relid = RelationGetRelid(td->tg_relation);
        st->mcxt = AllocSetContextCreate(TopMemoryContext, "customer_seg label trigger",
                                         ALLOCSET_SMALL_SIZES);
    }
    if (st->valid && st->stmt.lxid == now.lxid && st->stmt.cid == now.cid) {
        current_model(st, td);
        return st;
    }
    st->valid = false;  // stays false if anything below fails
    setup_columns(st, td);
    st->schema = cseg_pg::extension_schema_of(fcinfo->flinfo->fn_oid);
    current_model(st, td);
    const int natts = RelationGetDescr(td->tg_relation)->natts;
    if (st->natts < natts) {
        if (st->values != nullptr) pfree(st->values);
        if (st->nulls != nullptr) pfree(st->nulls);
        st->values = static_cast<Datum*>(MemoryContextAlloc(st->mcxt, sizeof(Datum) * natts));
        st->nulls = static_cast<bool*>(MemoryContextAlloc(st->mcxt, sizeof(bool) * natts));
        st->natts = natts;
    }
    st->stmt = now;
    st->valid = true;
    return st;
}

// A numeric feature as a double, as ::float8 reads it (NaN and +-Infinity kept, a value too
// small for double precision read as 0); a finite value beyond double precision's range is
// an error naming the column, where ::float8 would name neither it nor the trigger.
double numeric_feature(Datum d, const LabelTrigger* st, int32 j, const TriggerData* td) {
    double v = 0.0;
    if (!numeric_to_double(d, &v))
        ereport(ERROR,
                (errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
                 errmsg("%s: feature column \"%s\" of table \"%s\" holds a value out of the "
                        "range of double precision",
                        kFn, td->tg_trigger->tgargs[st->feature_args[j]],
                        table_name(td->tg_relation)),
                 errdetail("Trigger \"%s\" reads feature columns as double precision (at most "
                           "about 1.8e308 in magnitude).",
                           td->tg_trigger->tgname)));
    return v;
}

// A feature column's value as a double (NULL -> NaN); numeric goes through numeric_feature.
double feature_value(Datum d, bool isnull, Oid type, const LabelTrigger* st, int32 j,
                     const TriggerData* td) {
    if (isnull) return std::numeric_limits<double>::quiet_NaN();
    switch (type) {
        case INT2OID:
            return DatumGetInt16(d);
        case INT4OID:
            return DatumGetInt32(d);
        case INT8OID:
            return static_cast<double>(DatumGetInt64(d));
        case FLOAT4OID:
            return DatumGetFloat4(d);
        case FLOAT8OID:
            return DatumGetFloat8(d);
        default:
            return numeric_feature(d, st, j, td);
    }
}

// An integer Datum of the column's type.
Datum integer_datum(int64 v, Oid type) {
    switch (type) {
        case INT2OID:
            return Int16GetDatum(static_cast<int16>(v));
        case INT4OID:
            return Int32GetDatum(static_cast<int32>(v));
        default:
            return Int64GetDatum(v);
    }
}

// domain_check's caches for one call site (fn_extra, in fn_mcxt: they live as long as the
// query, and a label trigger fired from inside a domain check has its own).
struct DomainChecks {
    Oid domain[2];  // segment, version
    void* extra[2];
};

// Applies a domain column's NOT NULL and CHECK constraints to a value the trigger writes, as
// an assignment does (errors 23502 / 23514 name the domain). `which`: 0 segment, 1 version.
void check_domain(FunctionCallInfo fcinfo, int which, Oid domain, Datum value, bool isnull) {
    if (!OidIsValid(domain)) return;
    auto* dc = static_cast<DomainChecks*>(fcinfo->flinfo->fn_extra);
    if (dc == nullptr) {
        dc = static_cast<DomainChecks*>(
            MemoryContextAllocZero(fcinfo->flinfo->fn_mcxt, sizeof(DomainChecks)));
        fcinfo->flinfo->fn_extra = dc;
    }
    if (dc->domain[which] != domain) {
        dc->domain[which] = domain;
        dc->extra[which] = nullptr;
    }
    domain_check(value, isnull, domain, &dc->extra[which], fcinfo->flinfo->fn_mcxt);
}

}  // namespace

extern "C" {

PG_FUNCTION_INFO_V1(seg_label_trigger);

// Trigger: labels the new row with the active model (segment NULL when a feature is missing
// and the model does not impute); records the model version when asked to.
Datum seg_label_trigger(PG_FUNCTION_ARGS) {
    if (!CALLED_AS_TRIGGER(fcinfo))
        ereport(ERROR, (errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
                        errmsg("%s: not called by the trigger manager", kFn),
                        errhint("Use it in CREATE TRIGGER ... EXECUTE FUNCTION %s(...).", kFn)));
    auto* td = reinterpret_cast<TriggerData*>(fcinfo->context);
    check_firing(td);
    trigger_table();
    free_stale();
    fire_depth++;
    LabelTrigger* st = trigger_state(fcinfo, td);

    HeapTuple tuple = TRIGGER_FIRED_BY_UPDATE(td->tg_event) ? td->tg_newtuple : td->tg_trigtuple;
    TupleDesc desc = RelationGetDescr(td->tg_relation);
    Datum* values = st->values;
    bool* nulls = st->nulls;
    heap_deform_tuple(tuple, desc, values, nulls);
    cseg_pg::ModelCache* c = st->active.model;
    double* x = c->scratch;
    for (int32 j = 0; j < st->n_features; ++j) {
        const AttrNumber a = st->feature_attnums[j] - 1;
        x[j] = feature_value(values[a], nulls[a], st->feature_types[j], st, j, td);
    }
    bool categories_ok = true;
    const int pinned = st->categories_pin_settings ? pin_category_text_settings() : -1;
    for (int32 j = 0; j < st->n_categorical; ++j) {
        const AttrNumber a = st->categorical_attnums[j] - 1;
        if (nulls[a]) {
            st->category_lengths[j] = -1;
            continue;
        }
        /* The category as ::text gives it, in the per-row memory (detoasted). */
        if (st->categorical_read[j] == 'o') {
            st->categories[j] = OutputFunctionCall(&st->categorical_fn[j], values[a]);
            st->category_lengths[j] = static_cast<int32>(strlen(st->categories[j]));
            continue;
        }
        const Datum v = st->categorical_read[j] == 'f'
                            ? FunctionCall1Coll(&st->categorical_fn[j],
                                                st->categorical_collation[j], values[a])
                            : values[a];
        const text* t = reinterpret_cast<const text*>(PG_DETOAST_DATUM_PACKED(v));
        st->categories[j] = VARDATA_ANY(t);
        st->category_lengths[j] = static_cast<int32>(VARSIZE_ANY_EXHDR(t));
    }
    if (pinned >= 0) AtEOXact_GUC(true, pinned);
    if (st->n_categorical > 0)
        categories_ok =
            cseg_pg::model_category_codes(c->view, st->categories, st->category_lengths, c->codes);
    const AttrNumber seg = st->segment_attnum - 1;
    nulls[seg] = !cseg_pg::model_point_values(c->view, x, x) || !categories_ok;
    if (!nulls[seg]) values[seg] = integer_datum(cseg_pg::model_cache_assign(c, nullptr),
                                                 st->segment_type);
    const Datum segment = values[seg];
    const bool segment_null = nulls[seg];
    const Oid segment_domain = st->segment_domain;
    const bool has_version = st->version_attnum != InvalidAttrNumber;
    const Datum version = has_version ? integer_datum(st->active.version, st->version_type) : 0;
    const Oid version_domain = has_version ? st->version_domain : InvalidOid;
    if (has_version) {
        values[st->version_attnum - 1] = version;
        nulls[st->version_attnum - 1] = false;
    }
    /* As heap_modify_tuple does: a new tuple with the old one's identity. */
    HeapTuple out = heap_form_tuple(desc, values, nulls);
    out->t_data->t_ctid = tuple->t_data->t_ctid;
    out->t_self = tuple->t_self;
    out->t_tableOid = tuple->t_tableOid;
    /* Domain checks last: they may run user code, which may even fire this trigger again
       (st's arrays are not used after this point). */
    check_domain(fcinfo, 0, segment_domain, segment, segment_null);
    if (has_version) check_domain(fcinfo, 1, version_domain, version, false);
    fire_depth--;
    PG_RETURN_POINTER(out);
}

}  // extern "C"
