# cmake -DINPUT=file -DOUTPUT=file.cpp -DNAMESPACE=ns -DFUNCTION=fn -P EmbedFile.cmake
# Writes a C++ file whose function returns INPUT's bytes. The bytes go in as
# hex so no delimiter or encoding issue can arise.
file(READ "${INPUT}" hex HEX)
string(LENGTH "${hex}" hexLength)
math(EXPR size "${hexLength} / 2")
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "'\\\\x\\1'," body "${hex}")
string(REGEX REPLACE "(([^,]*,){24})" "\\1\n" body "${body}")
file(WRITE "${OUTPUT}.tmp"
"// Generated from ${INPUT} by EmbedFile.cmake; do not edit.
#include <string_view>
namespace ${NAMESPACE} {
static const char kBytes[] = {\n${body}0};
std::string_view ${FUNCTION}() { return {kBytes, ${size}}; }
}
")
file(COPY_FILE "${OUTPUT}.tmp" "${OUTPUT}" ONLY_IF_DIFFERENT)
file(REMOVE "${OUTPUT}.tmp")
