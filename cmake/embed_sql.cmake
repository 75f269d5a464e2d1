# Writes OUT, a C file holding every sql/NNN_name.sql as bytes, in order.
# Run as: cmake -DOUT=file.c -DSQL_DIR=dir -P embed_sql.cmake
file(GLOB files ${SQL_DIR}/[0-9][0-9][0-9]_*.sql)
list(SORT files)
set(body "")
set(table "")
set(n 0)
set(last 0)
foreach(f IN LISTS files)
  get_filename_component(name ${f} NAME)
  string(SUBSTRING ${name} 0 3 num)
  math(EXPR ver "${num}")
  file(READ ${f} hex HEX)
  string(LENGTH "${hex}" hexlen)
  math(EXPR len "${hexlen} / 2")
  string(REGEX REPLACE "(..)" "0x\\1," bytes "${hex}")
  string(APPEND body "static const char sql_${n}[] = {${bytes}0};\n")
  string(APPEND table "\t{${ver}, \"${name}\", sql_${n}, ${len}},\n")
  math(EXPR n "${n} + 1")
  set(last ${ver})
endforeach()
file(WRITE ${OUT}.tmp "/* Generated from sql/ by cmake/embed_sql.cmake: do not edit. */\n"
  "#include \"schema.h\"\n\n${body}\n"
  "const struct schema_file schema_files[] = {\n${table}\t{0, 0, 0, 0}\n};\n"
  "const size_t schema_nfiles = ${n};\n"
  "const int schema_version = ${last};\n")
file(COPY_FILE ${OUT}.tmp ${OUT} ONLY_IF_DIFFERENT)
