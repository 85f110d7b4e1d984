-- CreateTable
CREATE TABLE "SmsMessage" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "phone" TEXT NOT NULL,
    "template" TEXT NOT NULL,
    "text" TEXT NOT NULL,
    "segments" INTEGER NOT NULL,
    "providerId" TEXT,
    "sentAt" DATETIME NOT NULL
);

-- CreateIndex
CREATE INDEX "SmsMessage_phone_sentAt_idx" ON "SmsMessage"("phone", "sentAt");
