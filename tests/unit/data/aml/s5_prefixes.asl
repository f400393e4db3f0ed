/* \_S5 named with a root prefix from deep inside devices and with a
 * parent prefix (^^_S5 from \_SB.PCI0 is \_S5). Expect 6, 2 (the first,
 * \_S5 written as ^^_S5 inside \_SB.PCI0). */
DefinitionBlock ("", "DSDT", 2, "KESTRL", "S5PFX", 1)
{
    Scope (\_SB)
    {
        Device (PCI0)
        {
            Name (_ADR, Zero)
            Device (LPCB)
            {
                Name (_ADR, 0x001F0000)
                OperationRegion (LPC0, PCI_Config, 0x40, 0xC0)
                Field (LPC0, AnyAcc, NoLock, Preserve)
                {
                    PMBA, 16
                }
            }
            Name (^^_S5, Package () { 0x06, 0x02, Zero, Zero })
        }
    }
}
