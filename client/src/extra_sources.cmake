# Sources of libsecurebase_client kept in their own list: the JSON renderings,
# content names and validation, and the C API. Included by client/CMakeLists.txt
# after securebase_client is defined.
target_sources(securebase_client PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/json.cc
  ${CMAKE_CURRENT_LIST_DIR}/content.cc
  ${CMAKE_CURRENT_LIST_DIR}/c_api.cc
)
