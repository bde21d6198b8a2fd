#include "widgets/imgui_compat.h"
