/* Placeholder until the command-line front end lands. */
#include "util/osdep.h"
#include "util/error.h"

int main(int argc, char **argv)
{
    fatal_error("not implemented yet");
}
