/**
 * What a condition may call: the one allow-list of the read-only guard (documented in
 * docs/read-only.md, held against PostgreSQL's catalog by packages/core/test/guard/catalog.test.ts).
 *
 * A name is here only when calling it cannot change anything outside the query's own result: no
 * writes, no second connection, no files, no sessions, no locks, no settings, no sequences, no
 * sleeping, no running of SQL text. Everything else — user-defined functions, extensions, and the
 * administration functions of either server — is refused unless the config vouches for it
 * (`defineConfig({ database: { allowFunctions: ['analytics.engagement_score'] } })`).
 */

const words = (text: string): string[] => text.trim().split(/\s+/);

/**
 * PostgreSQL built-ins (schema pg_catalog), lower case. Only names pg_proc has: COALESCE, GREATEST,
 * LEAST, NULLIF, GROUPING, CURRENT_DATE, USER, XMLELEMENT… are grammar, their own nodes in the tree,
 * never calls — listed here they would only let `"coalesce"(…)` reach a user-defined function.
 */
export const POSTGRES_FUNCTIONS: ReadonlySet<string> = new Set(
  words(`
    abs cbrt ceil ceiling degrees div exp factorial floor gcd lcm ln log log10 min_scale mod pi power
    radians round scale sign sqrt trim_scale trunc width_bucket random
    acos acosd asin asind atan atand atan2 atan2d cos cosd cot cotd sin sind tan tand
    sinh cosh tanh asinh acosh atanh erf erfc
    ascii bit_length btrim char_length character_length chr concat concat_ws format initcap left length
    lower lpad ltrim md5 normalize octet_length overlay parse_ident position quote_ident quote_literal
    quote_nullable regexp_count regexp_instr regexp_like regexp_match regexp_matches regexp_replace
    regexp_split_to_array regexp_split_to_table regexp_substr repeat replace reverse right rpad rtrim
    split_part starts_with string_to_array string_to_table strpos substr substring to_ascii to_hex
    translate unistr upper encode decode convert_from convert_to sha224 sha256 sha384 sha512
    get_byte get_bit bit_count
    to_char to_date to_number to_timestamp
    age clock_timestamp date_add date_bin date_part date_subtract date_trunc extract isfinite
    justify_days justify_hours justify_interval make_date make_interval make_time make_timestamp
    make_timestamptz now
    statement_timestamp timeofday transaction_timestamp timezone overlaps
    array_append array_cat array_dims array_fill array_length array_lower array_ndims array_position
    array_positions array_prepend array_remove array_replace array_sample array_shuffle array_to_string
    array_upper cardinality trim_array unnest generate_series generate_subscripts
    array_to_json json_array_elements json_array_elements_text json_array_length json_build_array
    json_build_object json_each json_each_text json_extract_path json_extract_path_text json_object
    json_object_keys json_populate_record json_populate_recordset json_strip_nulls json_to_record
    json_to_recordset json_typeof row_to_json to_json
    jsonb_array_elements jsonb_array_elements_text jsonb_array_length jsonb_build_array
    jsonb_build_object jsonb_concat jsonb_contained jsonb_contains jsonb_delete jsonb_delete_path
    jsonb_each jsonb_each_text jsonb_exists jsonb_exists_all jsonb_exists_any jsonb_extract_path
    jsonb_extract_path_text jsonb_insert jsonb_object jsonb_object_keys jsonb_path_exists
    jsonb_path_match jsonb_path_query jsonb_path_query_array jsonb_path_query_first
    jsonb_populate_record jsonb_populate_recordset jsonb_pretty jsonb_set jsonb_set_lax
    jsonb_strip_nulls jsonb_to_record jsonb_to_recordset jsonb_typeof to_jsonb
    count sum avg min max bool_and bool_or every array_agg string_agg json_agg json_object_agg
    jsonb_agg jsonb_object_agg bit_and bit_or bit_xor stddev stddev_pop stddev_samp variance
    var_pop var_samp corr covar_pop covar_samp regr_avgx regr_avgy regr_count regr_intercept regr_r2
    regr_slope regr_sxx regr_sxy regr_syy mode percentile_cont percentile_disc rank dense_rank
    percent_rank cume_dist any_value range_agg range_intersect_agg xmlagg
    row_number ntile lag lead first_value last_value nth_value
    num_nonnulls num_nulls
    lower_inc upper_inc lower_inf upper_inf isempty range_merge multirange
    int4range int8range numrange tsrange tstzrange daterange
    to_tsvector to_tsquery plainto_tsquery phraseto_tsquery websearch_to_tsquery ts_rank ts_rank_cd
    ts_headline setweight strip tsvector_to_array array_to_tsvector numnode querytree
    host hostmask masklen netmask network family broadcast abbrev inet_same_family inet_merge
    gen_random_uuid uuid_extract_timestamp uuid_extract_version
    pg_typeof to_regclass to_regtype to_regnamespace to_regproc to_regprocedure to_regrole
    col_description obj_description format_type pg_get_expr pg_get_viewdef pg_get_constraintdef
    pg_get_indexdef current_schema current_schemas current_database current_user session_user
    version pg_column_size pg_size_pretty has_table_privilege has_column_privilege
    has_schema_privilege xmlexists xml_is_well_formed xpath xpath_exists is_normalized
    bool int2 int4 int8 float4 float8 numeric text varchar bpchar date time timestamp timestamptz
    interval
    name area center diameter height width radius point box path polygon circle line lseg money oid
    char bit macaddr macaddr8 cidr isclosed isopen npoints pclose popen ishorizontal isvertical
    isparallel isperp diagonal slope convert regclass similar_to_escape like_escape pg_collation_for
  `),
);

/** Types a condition may cast to (a cast to any other type may run a user-defined cast function). */
export const POSTGRES_TYPES: ReadonlySet<string> = new Set(
  words(`
    bool boolean int2 smallint int4 int integer int8 bigint numeric decimal float4 real float8 float
    money text varchar char bpchar name date time timetz timestamp timestamptz
    interval json jsonb jsonpath uuid bytea inet cidr macaddr macaddr8 bit varbit tsvector tsquery
    xml oid regclass regtype regproc regprocedure regnamespace regrole regconfig
    int4range int8range numrange tsrange tstzrange daterange int4multirange int8multirange
    nummultirange tsmultirange tstzmultirange datemultirange point line lseg box path polygon circle
    record anyelement unknown
  `),
);

/** Operator symbols a condition may use (the built-in ones; pg_catalog comes first in search_path). */
export const POSTGRES_OPERATORS: ReadonlySet<string> = new Set(
  words(`
    = <> != < > <= >= + - * / % ^ || |/ ||/ @ & | # ~ << >> ~~ !~~ ~~* !~~* ~* !~ !~*
    -> ->> #> #>> ? ?| ?& @> <@ && #- @? @@ @@@ <-> &< &> -|- <^ >^ ?# ?- ?-| ?|| <<| |>> &<| |&> ##
    <<= >>= ^@
  `),
);

/** TABLESAMPLE methods built into PostgreSQL. */
export const POSTGRES_SAMPLE_METHODS: ReadonlySet<string> = new Set(['bernoulli', 'system']);

/** MySQL / MariaDB / TiDB built-ins, upper case (the MySQL dialect's names are case-insensitive). */
export const MYSQL_FUNCTIONS: ReadonlySet<string> = new Set(
  words(`
    ABS ACOS ASIN ATAN ATAN2 CEIL CEILING CONV COS COT CRC32 DEGREES DIV EXP FLOOR GREATEST LEAST LN LOG
    LOG10 LOG2 MOD PI POW POWER RADIANS RAND ROUND SIGN SIN SQRT TAN TRUNCATE
    ASCII BIN BIT_LENGTH CHAR CHAR_LENGTH CHARACTER_LENGTH CONCAT CONCAT_WS ELT EXPORT_SET FIELD
    FIND_IN_SET FORMAT FROM_BASE64 HEX INSERT INSTR LCASE LEFT LENGTH LOCATE LOWER LPAD LTRIM MAKE_SET
    MID OCT OCTET_LENGTH ORD POSITION QUOTE REGEXP_INSTR REGEXP_LIKE REGEXP_REPLACE REGEXP_SUBSTR REPEAT
    REPLACE REVERSE RIGHT RPAD RTRIM SOUNDEX SPACE STRCMP SUBSTR SUBSTRING SUBSTRING_INDEX TO_BASE64
    TRIM UCASE UNHEX UPPER WEIGHT_STRING MD5 SHA SHA1 SHA2 CHARSET COLLATION COERCIBILITY
    ADDDATE ADDTIME CONVERT_TZ CURDATE CURRENT_DATE CURRENT_TIME CURRENT_TIMESTAMP CURTIME DATE
    DATE_ADD DATE_FORMAT DATE_SUB DATEDIFF DAY DAYNAME DAYOFMONTH DAYOFWEEK DAYOFYEAR EXTRACT FROM_DAYS
    FROM_UNIXTIME GET_FORMAT HOUR LAST_DAY LOCALTIME LOCALTIMESTAMP MAKEDATE MAKETIME MICROSECOND
    MINUTE MONTH MONTHNAME NOW PERIOD_ADD PERIOD_DIFF QUARTER SEC_TO_TIME SECOND STR_TO_DATE SUBDATE
    SUBTIME SYSDATE TIME TIME_FORMAT TIME_TO_SEC TIMEDIFF TIMESTAMP TIMESTAMPADD TIMESTAMPDIFF TO_DAYS
    TO_SECONDS UNIX_TIMESTAMP UTC_DATE UTC_TIME UTC_TIMESTAMP WEEK WEEKDAY WEEKOFYEAR YEAR YEARWEEK
    JSON_ARRAY JSON_ARRAYAGG JSON_ARRAY_APPEND JSON_ARRAY_INSERT JSON_CONTAINS JSON_CONTAINS_PATH
    JSON_DEPTH JSON_EXTRACT JSON_INSERT JSON_KEYS JSON_LENGTH JSON_MERGE JSON_MERGE_PATCH
    JSON_MERGE_PRESERVE JSON_OBJECT JSON_OBJECTAGG JSON_OVERLAPS JSON_PRETTY JSON_QUOTE JSON_REMOVE
    JSON_REPLACE JSON_SEARCH JSON_SET JSON_TYPE JSON_UNQUOTE JSON_VALID JSON_VALUE JSON_TABLE
    JSON_COMPACT JSON_DETAILED JSON_LOOSE JSON_EXISTS JSON_QUERY MEMBER_OF
    AVG BIT_AND BIT_OR BIT_XOR COUNT GROUP_CONCAT MAX MIN STD STDDEV STDDEV_POP STDDEV_SAMP SUM
    VAR_POP VAR_SAMP VARIANCE ANY_VALUE
    ROW_NUMBER RANK DENSE_RANK PERCENT_RANK CUME_DIST NTILE LAG LEAD FIRST_VALUE LAST_VALUE NTH_VALUE
    MEDIAN PERCENTILE_CONT PERCENTILE_DISC
    IF IFNULL NULLIF COALESCE ISNULL INTERVAL CAST CONVERT BINARY
    UUID UUID_SHORT IS_UUID BIN_TO_UUID UUID_TO_BIN INET_ATON INET_NTOA INET6_ATON INET6_NTOA IS_IPV4
    IS_IPV6 DATABASE SCHEMA USER CURRENT_USER SESSION_USER SYSTEM_USER VERSION CONNECTION_ID
    FOUND_ROWS ROW_COUNT
  `),
);

/**
 * Redis commands a condition (and the plan's own reads) may send: read-only, with the positions of
 * their key arguments (1-based; 'all' = every argument, 'none' = no keys).
 */
export const REDIS_READ_COMMANDS: Readonly<Record<string, readonly number[] | 'all' | 'none'>> = {
  GET: [1],
  MGET: 'all',
  STRLEN: [1],
  GETRANGE: [1],
  EXISTS: 'all',
  TYPE: [1],
  TTL: [1],
  PTTL: [1],
  HGET: [1],
  HGETALL: [1],
  HMGET: [1],
  HEXISTS: [1],
  HLEN: [1],
  HKEYS: [1],
  HVALS: [1],
  HSTRLEN: [1],
  SISMEMBER: [1],
  SMISMEMBER: [1],
  SMEMBERS: [1],
  SCARD: [1],
  SINTER: 'all',
  SUNION: 'all',
  SDIFF: 'all',
  SRANDMEMBER: [1],
  LLEN: [1],
  LRANGE: [1],
  LINDEX: [1],
  LPOS: [1],
  ZSCORE: [1],
  ZMSCORE: [1],
  ZRANK: [1],
  ZREVRANK: [1],
  ZCARD: [1],
  ZCOUNT: [1],
  ZRANGE: [1],
  ZRANGEBYSCORE: [1],
  ZREVRANGE: [1],
  ZREVRANGEBYSCORE: [1],
  ZLEXCOUNT: [1],
  ZRANGEBYLEX: [1],
  BITCOUNT: [1],
  GETBIT: [1],
  PFCOUNT: 'all',
  XLEN: [1],
  XRANGE: [1],
  XREVRANGE: [1],
  'JSON.GET': [1],
  'JSON.TYPE': [1],
  'JSON.STRLEN': [1],
  'JSON.ARRLEN': [1],
  'JSON.OBJLEN': [1],
  DBSIZE: 'none',
  PING: 'none',
  ECHO: 'none',
};
