/* A fixture for the debugger: one local of every kind a C plugin has, with known values.
 * `inspect` is called from `qirvo_start`; tests stop at the line marked BREAK. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "qirvo.h"

enum colour { RED, GREEN = 5, BLUE };

struct point {
    int x;
    int y;
};

struct shape {
    const char *name;
    struct point corner;
    double scale;
    enum colour colour;
    unsigned char flags[3];
};

union number {
    int32_t integer;
    float real;
};

typedef struct point point_t;

static int counted = 0;

static __attribute__((noinline)) int inspect(int count, const char *label, struct shape *shape) {
    int small = -7;
    unsigned int big = 4000000000u;
    int64_t wide = -1234567890123LL;
    float ratio = 0.5f;
    double pi = 3.25;
    char letter = 'Q';
    _Bool yes = 1;
    enum colour colour = GREEN;
    char text[16] = "hello";
    int grid[2][3] = {{1, 2, 3}, {4, 5, 6}};
    int many[300];
    for (int i = 0; i < 300; i++) {
        many[i] = i * 2;
    }
    point_t origin = {3, -4};
    point_t *where = &origin;
    union number number;
    number.integer = 1065353216; /* 1.0f */
    const char *missing = NULL;
    int total = small + count + shape->corner.x + many[299] + grid[1][2] + (missing == NULL); /* BREAK */
    counted += total + (int)(ratio + pi) + letter + yes + colour + text[0] + where->y + number.integer + (int)big +
               (int)wide + (int)strlen(label);
    return total;
}

static void loop(void) {
    int sum = 0;
    for (int i = 1; i <= 10; i++) {
        sum += i; /* LOOP */
    }
    counted += sum;
}

QIRVO_EXPORT("qirvo_alloc") int32_t qirvo_alloc(int32_t size) {
    static unsigned char heap[1024];
    return size <= 1024 ? (int32_t)(uintptr_t)heap : 0;
}

QIRVO_EXPORT("qirvo_initialize") int32_t qirvo_initialize(void) { return 0; }

QIRVO_EXPORT("qirvo_start") int32_t qirvo_start(void) {
    struct shape shape = {"square", {10, 20}, 1.5, BLUE, {1, 2, 3}};
    int result = inspect(42, "from start", &shape);
    loop();
    printf("result %d counted %d\n", result, counted);
    fflush(stdout);
    return 0;
}

QIRVO_EXPORT("qirvo_stop") int32_t qirvo_stop(void) { return 0; }
