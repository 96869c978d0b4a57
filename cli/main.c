#include <stdio.h>
#include "gotrace.h"
int main(void) { printf("%s\n", gt_version_string()); return 0; }
