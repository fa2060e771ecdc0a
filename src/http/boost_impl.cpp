// The one translation unit that compiles Boost.Asio, Boost.Beast, Boost.JSON and Boost.URL.
// Every other file includes only their declarations (see TOLLGATE_BOOST_DEFINES in
// CMakeLists.txt), which keeps rebuilds fast.
#include <boost/asio/impl/src.hpp>
#include <boost/asio/ssl/impl/src.hpp>
#include <boost/beast/src.hpp>
#include <boost/json/src.hpp>
#include <boost/url/src.hpp>
