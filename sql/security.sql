-- Security properties of everything the extension installs, checked from the catalogs so a
-- function added later is covered without editing this file. Each query lists violators:
-- the expected output is empty. (Behaviour under roles, injection and row-level security is
-- tested in test/integration/test_security.py; the registry's own grants in registry.sql.)
CREATE TEMP VIEW ext_functions AS
SELECT p.oid, p.oid::regprocedure AS function, l.lanname AS language, p.prosecdef,
       p.proconfig, p.prokind
FROM pg_proc p
JOIN pg_depend d ON d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e'
JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'customer_seg'
JOIN pg_language l ON l.oid = p.prolang;

-- The extension has functions at all (so the empty results below mean something).
SELECT count(*) > 20 AS many_functions,
       count(*) FILTER (WHERE language IN ('sql', 'plpgsql')) > 0 AS some_sql_or_plpgsql
FROM ext_functions;

-- No function runs with its owner's rights: everything is SECURITY INVOKER.
SELECT function FROM ext_functions WHERE prosecdef ORDER BY 1::text;

-- Every SQL and PL/pgSQL function pins search_path, with pg_temp listed last so temporary
-- objects can never shadow the ones it means (and without "$user" or public).
SELECT function, proconfig
FROM ext_functions f
WHERE language IN ('sql', 'plpgsql')
  AND NOT EXISTS (
      SELECT FROM unnest(f.proconfig) c
      WHERE c LIKE 'search_path=%'
        AND regexp_replace(c, '^search_path=', '') ~ '(^|,\s*)pg_temp\s*$'
        AND c NOT LIKE '%$user%' AND c !~ '(=|,\s*)"?public"?(,|$)')
ORDER BY 1::text;

-- No SQL-visible C function is SECURITY DEFINER or LEAKPROOF (a leakproof claim would let
-- it see rows that row-level security hides).
SELECT p.oid::regprocedure AS function
FROM ext_functions f JOIN pg_proc p ON p.oid = f.oid
WHERE p.proleakproof ORDER BY 1::text;

-- Tables the extension owns grant nothing to PUBLIC.
SELECT c.oid::regclass AS relation, c.relacl
FROM pg_class c
JOIN pg_depend d ON d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e'
JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'customer_seg'
WHERE c.relkind IN ('r', 'p', 'v', 'm')
  AND EXISTS (SELECT FROM aclexplode(coalesce(c.relacl, acldefault('r', c.relowner))) a
              WHERE a.grantee = 0)
ORDER BY 1::text;

-- Every function, aggregate and type carries a COMMENT (STYLE.md), so \df+ explains it.
SELECT function FROM ext_functions f
WHERE obj_description(f.oid, 'pg_proc') IS NULL ORDER BY 1::text;
SELECT t.oid::regtype AS type
FROM pg_type t
JOIN pg_depend d ON d.classid = 'pg_type'::regclass AND d.objid = t.oid AND d.deptype = 'e'
JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'customer_seg'
WHERE t.typtype <> 'p' AND t.typelem = 0 AND obj_description(t.oid, 'pg_type') IS NULL
ORDER BY 1::text;

