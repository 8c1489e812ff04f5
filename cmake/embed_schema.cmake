# Turns schema.sql into a C++ source so dialerd carries its schema (no file needed at run time).
file(READ "${SCHEMA_FILE}" SCHEMA_TEXT)
file(WRITE "${OUTPUT_FILE}.tmp" "// Generated from schema.sql by cmake/embed_schema.cmake. Do not edit.\nnamespace dialer::store { extern const char* const schema_sql; const char* const schema_sql = R\"SQL(${SCHEMA_TEXT})SQL\"; }\n")
file(COPY_FILE "${OUTPUT_FILE}.tmp" "${OUTPUT_FILE}" ONLY_IF_DIFFERENT)
