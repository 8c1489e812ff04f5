# libphonenumber for the compliance module: the headers of Debian's libphonenumber-dev unpacked by
# scripts/install-deps into var/deps/ (the package itself cannot be installed beside libboost1.81-dev),
# or the installed package when a machine has it; the runtime libraries libphonenumber8 / libgeocoding8.
# Defines the imported target phonenumber::phonenumber (with the offline geocoder).
set(DIALER_DEPS_DIR "${CMAKE_CURRENT_SOURCE_DIR}/var/deps" CACHE PATH "Unpacked build dependencies (scripts/install-deps)")
find_path(PHONENUMBER_INCLUDE_DIR phonenumbers/phonenumberutil.h
  HINTS "${DIALER_DEPS_DIR}/libphonenumber-dev/usr/include")
find_library(PHONENUMBER_LIBRARY NAMES libphonenumber.so.8 phonenumber)
find_library(GEOCODING_LIBRARY NAMES libgeocoding.so.8 geocoding)
if(NOT PHONENUMBER_INCLUDE_DIR OR NOT PHONENUMBER_LIBRARY OR NOT GEOCODING_LIBRARY)
  message(FATAL_ERROR "libphonenumber not found (headers: ${PHONENUMBER_INCLUDE_DIR}, library: "
                      "${PHONENUMBER_LIBRARY}, geocoder: ${GEOCODING_LIBRARY}): run scripts/install-deps")
endif()
find_package(Protobuf REQUIRED)
find_package(ICU REQUIRED COMPONENTS uc i18n)
add_library(phonenumber::phonenumber INTERFACE IMPORTED)
# The headers pick their Singleton/Lock by macro; with none set they use POSIX threads (no Boost).
target_include_directories(phonenumber::phonenumber SYSTEM INTERFACE ${PHONENUMBER_INCLUDE_DIR})
target_link_libraries(phonenumber::phonenumber INTERFACE ${PHONENUMBER_LIBRARY} ${GEOCODING_LIBRARY}
  protobuf::libprotobuf ICU::uc ICU::i18n)

# Lookup tables generated at build time from Debian's data (never hand-written): libphonenumber's
# time-zone prefix map (python3-phonenumbers), zones per country (tzdata's zone.tab) and ISO 3166-2
# subdivision names (iso-codes).
find_package(Python3 REQUIRED COMPONENTS Interpreter)
set(PHONENUMBER_TZ_MAP /usr/lib/python3/dist-packages/phonenumbers/tzdata/data0.py CACHE FILEPATH
    "libphonenumber's time-zone prefix map (python3-phonenumbers)")
set(TZDATA_ZONE_TAB /usr/share/zoneinfo/zone.tab CACHE FILEPATH "the tzdb's zones per country (tzdata)")
set(ISO_3166_2_JSON /usr/share/iso-codes/json/iso_3166-2.json CACHE FILEPATH "ISO 3166-2 names (iso-codes)")
foreach(f ${PHONENUMBER_TZ_MAP} ${TZDATA_ZONE_TAB} ${ISO_3166_2_JSON})
  if(NOT EXISTS ${f})
    message(FATAL_ERROR "${f} not found: run scripts/install-deps")
  endif()
endforeach()
set(COMPLIANCE_TABLES_CPP ${CMAKE_CURRENT_BINARY_DIR}/generated/compliance_tables.cpp)
add_custom_command(OUTPUT ${COMPLIANCE_TABLES_CPP}
  COMMAND ${CMAKE_COMMAND} -E make_directory ${CMAKE_CURRENT_BINARY_DIR}/generated
  COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_SOURCE_DIR}/cmake/gen_compliance_tables.py
          ${PHONENUMBER_TZ_MAP} ${TZDATA_ZONE_TAB} ${ISO_3166_2_JSON} ${COMPLIANCE_TABLES_CPP}
  DEPENDS cmake/gen_compliance_tables.py ${PHONENUMBER_TZ_MAP} ${TZDATA_ZONE_TAB} ${ISO_3166_2_JSON})
