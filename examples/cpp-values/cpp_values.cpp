// A fixture for the debugger: C++ standard-library values (libc++) and classes with known
// values. `inspect` is called from `qirvo_start`; tests stop at the line marked BREAK, and at the
// line marked BREAK-METHOD inside `Circle::area`, which `inspect` calls after BREAK.
//
// After BREAK the program prints every local to stdout, one line each, so a test can compare
// what the debugger shows with what the program printed:
//
//   name = value           `name` is the local's name; `name.property = value` for a property
//                          (size, capacity, use_count, index, ...) the debugger also shows
//   "text"                 a string (no character here needs escaping)
//   [1, 2, 3]              a sequence (vector, array), in index order
//   {1, 5, 9}              a set, in iteration (sorted) order
//   {"a": 1, "b": 2}       a map, in iteration order: sorted for std::map, the hash table's
//                          own order for std::unordered_map (deterministic: libc++'s string hash
//                          has no seed)
//   {x: 1, y: 2}           a struct or class, fields in declaration order, bases' fields first
//   nullopt                an empty std::optional
//   2.5                    a double, printed with %g
//
// No address is printed; every value is the same on every run.
#include <array>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <variant>
#include <vector>

#include "qirvo.h"

struct Point {
    int x;
    int y;
};

class Shape {
  public:
    explicit Shape(int id) : id(id) {}
    virtual ~Shape() = default;
    virtual double area() const { return 0.0; }
    int id;
};

class Circle : public Shape {
  public:
    Circle(int id, double radius) : Shape(id), radius(radius) {}
    double area() const override;
    double radius;
};

static int counted = 0;

static void print_point(const char *name, const Point &point) {
    std::printf("%s = {x: %d, y: %d}\n", name, point.x, point.y);
}

static void print_ints(const char *name, const int *first, const int *last) {
    std::printf("%s = [", name);
    for (const int *at = first; at != last; ++at) {
        std::printf(at == first ? "%d" : ", %d", *at);
    }
    std::printf("]\n");
}

static __attribute__((noinline)) int inspect(int count, Point &corner) {
    std::string short_str = "hi";
    std::string long_str = "a string longer than the small-string buffer";
    std::string_view view = "a view";
    std::vector<int> numbers = {1, 2, 3};
    std::vector<int> empty;
    std::array<int, 4> array = {10, 20, 30, 40};
    std::map<std::string, int> map = {{"a", 1}, {"b", 2}, {"c", 3}};
    std::set<int> set = {9, 1, 5};
    std::unordered_map<std::string, int> umap = {{"one", 1}, {"two", 2}, {"three", 3}};
    std::unique_ptr<Point> unique = std::make_unique<Point>(Point{1, 2});
    std::shared_ptr<Point> shared = std::make_shared<Point>(Point{3, 4});
    std::shared_ptr<Point> shared2 = shared;
    std::weak_ptr<Point> weak = shared;
    std::optional<int> engaged = 7;
    std::optional<int> disengaged;
    std::variant<int, std::string> variant = std::string("alternative");
    Circle circle(8, 2.5);
    Point origin = {5, 6};
    Point &ref = origin;
    int total = count + corner.x + (int)numbers.size() + unique->x + shared->y + *engaged; // BREAK

    std::printf("count = %d\n", count);
    print_point("corner", corner);
    std::printf("short_str = \"%s\"\n", short_str.c_str());
    std::printf("short_str.size = %zu\n", short_str.size());
    std::printf("long_str = \"%s\"\n", long_str.c_str());
    std::printf("long_str.size = %zu\n", long_str.size());
    std::printf("view = \"%.*s\"\n", (int)view.size(), view.data());
    std::printf("view.size = %zu\n", view.size());
    print_ints("numbers", numbers.data(), numbers.data() + numbers.size());
    std::printf("numbers.size = %zu\n", numbers.size());
    std::printf("numbers.capacity = %zu\n", numbers.capacity());
    print_ints("empty", empty.data(), empty.data() + empty.size());
    std::printf("empty.size = %zu\n", empty.size());
    print_ints("array", array.data(), array.data() + array.size());
    std::printf("map = {");
    const char *separator = "";
    for (const auto &[key, value] : map) {
        std::printf("%s\"%s\": %d", separator, key.c_str(), value);
        separator = ", ";
    }
    std::printf("}\nmap.size = %zu\n", map.size());
    std::printf("set = {");
    separator = "";
    for (int value : set) {
        std::printf("%s%d", separator, value);
        separator = ", ";
    }
    std::printf("}\nset.size = %zu\n", set.size());
    std::printf("umap = {");
    separator = "";
    for (const auto &[key, value] : umap) {
        std::printf("%s\"%s\": %d", separator, key.c_str(), value);
        separator = ", ";
    }
    std::printf("}\numap.size = %zu\n", umap.size());
    std::printf("umap.bucket_count = %zu\n", umap.bucket_count());
    print_point("unique", *unique);
    print_point("shared", *shared);
    std::printf("shared.use_count = %ld\n", shared.use_count());
    print_point("shared2", *shared2);
    print_point("weak", *weak.lock());
    std::printf("weak.use_count = %ld\n", weak.use_count());
    std::printf("weak.expired = %s\n", weak.expired() ? "true" : "false");
    std::printf("engaged = %d\n", *engaged);
    std::printf("disengaged = %s\n", disengaged.has_value() ? "engaged" : "nullopt");
    std::printf("variant = \"%s\"\n", std::get_if<std::string>(&variant)->c_str());
    std::printf("variant.index = %zu\n", variant.index());
    std::printf("circle = {id: %d, radius: %g}\n", circle.id, circle.radius);
    print_point("origin", origin);
    print_point("ref", ref);
    std::fflush(stdout);

    const Shape &shape = circle;
    double area = shape.area();
    std::printf("circle.area = %g\n", area);
    std::fflush(stdout);
    return total + (int)area;
}

// Defined after `inspect`, so the first line containing "// BREAK" is the one in `inspect`.
__attribute__((noinline)) double Circle::area() const {
    double squared = radius * radius;
    return 3.0 * squared + id; // BREAK-METHOD
}

// The entry points have C linkage, as a C++ plugin normally declares them.
extern "C" QIRVO_EXPORT("qirvo_alloc") int32_t qirvo_alloc(int32_t size) {
    return (int32_t)(uintptr_t)std::malloc(size > 0 ? (size_t)size : 1);
}

extern "C" QIRVO_EXPORT("qirvo_initialize") int32_t qirvo_initialize(void) { return 0; }

extern "C" QIRVO_EXPORT("qirvo_start") int32_t qirvo_start(void) {
    Point corner = {10, 20};
    counted += inspect(42, corner);
    std::printf("counted = %d\n", counted);
    std::fflush(stdout);
    return 0;
}

extern "C" QIRVO_EXPORT("qirvo_stop") int32_t qirvo_stop(void) { return 0; }
