/* A DSDT with no \_S5, but "_S5_" bytes everywhere a byte scan would
 * look and an \_SB._S5: expect ABSENT. The SSDT ssdt_s5.asl has it. */
DefinitionBlock ("", "DSDT", 2, "KESTRL", "NOS5", 1)
{
    Name (_S4, Package () { 0x06, 0x06, Zero, Zero })
    Name (BUF0, Buffer () { 0x08, 0x5F, 0x53, 0x35, 0x5F, 0x12, 0x06, 0x04, 0x0A, 0x05, 0x0A, 0x05 })
    Name (STR0, "Name(_S5_, Package...)")
    Scope (\_SB)
    {
        Name (_S5, Package () { 0x01, 0x01 })
    }
    Method (MS5, 0, NotSerialized)
    {
        Name (_S5, Package () { 0x02, 0x02 })
        Return (Zero)
    }
}
