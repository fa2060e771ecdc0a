// Boost.JSON's compiled part, for the fuzz targets (the main build compiles it in
// src/http/boost_impl.cpp).
#include <boost/json/src.hpp>
