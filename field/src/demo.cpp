#include "field/device.hpp"
