# SIP digest authentication (control/b2bua/digest_auth.{h,cc}, digest_params.{h,cc}).
# Included from this directory's CMakeLists.txt, which already includes GoogleTest.
add_executable(digest_auth_tests ${CMAKE_CURRENT_LIST_DIR}/digest_auth_test.cc)
target_link_libraries(digest_auth_tests PRIVATE sbc_control GTest::gtest_main)
gtest_discover_tests(digest_auth_tests)
